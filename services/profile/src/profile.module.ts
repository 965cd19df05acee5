import { Module } from '@nestjs/common';

/** Profile's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({})
export class ProfileModule {}
