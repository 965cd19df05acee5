import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Audited, KeyRing, Roles, rotateMasterKey } from '@cdp/security';

/** Master-key rotation of this service's data keys, without downtime (readers accept every key of the ring). */
@ApiTags('security')
@ApiBearerAuth()
@Controller('v1/admin')
export class KeysController {
  constructor(
    private readonly db: DataSource,
    private readonly keyRing: KeyRing,
  ) {}

  @Post('master-key/rotate')
  @HttpCode(200)
  @Roles('admin')
  @Audited('security.rotate_master_key', { resourceType: 'data_keys', resourceId: () => 'profile' })
  @ApiOperation({ summary: 'Rewrap every data key under the active master key (CDP_MASTER_KEY_ID) while the service runs' })
  rotate() {
    return rotateMasterKey(this.db, 'profile', this.keyRing, { batchSize: 500 });
  }
}
