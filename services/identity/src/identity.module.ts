import { Module } from '@nestjs/common';

/** Identity's own controllers, consumers and providers; health, metrics and `GET /` come from the service kit. */
@Module({})
export class IdentityModule {}
