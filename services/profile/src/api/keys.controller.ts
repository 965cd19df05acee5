import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Audited, KeyRing, Roles, rotateMasterKey } from '@cdp/security';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from '../config';

/** Master-key rotation of this service's data keys, without downtime (readers accept every key of the ring). */
@ApiTags('security')
@ApiBearerAuth()
@Controller('v1/admin')
export class KeysController {
  constructor(
    private readonly db: DataSource,
    private readonly keyRing: KeyRing,
    @Inject(SERVICE_CONFIG) private readonly config: ProfileConfig,
  ) {}

  @Post('master-key/rotate')
  @HttpCode(200)
  @Roles('admin')
  @Audited('security.rotate_master_key', { resourceType: 'data_keys', resourceId: () => 'profile' })
  @ApiOperation({ summary: 'Rewrap every data key under the active master key (CDP_MASTER_KEY_ID) while the service runs' })
  rotate() {
    return rotateMasterKey(this.db, this.config.database.schema, this.keyRing, { batchSize: 500 });
  }
}
