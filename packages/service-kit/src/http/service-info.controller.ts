import { Controller, Get, Inject } from '@nestjs/common';
import { SERVICE_INFO, type ServiceInfo } from '../service-tokens';

@Controller()
export class ServiceInfoController {
  constructor(@Inject(SERVICE_INFO) private readonly info: ServiceInfo) {}

  @Get()
  describe(): { service: string; version: string } {
    return { service: this.info.name, version: this.info.version };
  }
}
