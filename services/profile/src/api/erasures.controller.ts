import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '@cdp/security';
import { ErasureService } from '../application/erasure.service';
import { SCHEMAS } from './openapi.schemas';

/** Erasure receipts. */
@ApiTags('privacy')
@ApiBearerAuth()
@Controller('v1/erasures')
export class ErasuresController {
  constructor(private readonly erasures: ErasureService) {}

  @Get(':requestId')
  @RequireScopes('privacy:erase')
  @ApiOperation({ summary: 'The receipt of an erasure: for each expected service, when it confirmed' })
  @ApiResponse({ status: 200, schema: SCHEMAS.receipt })
  @ApiResponse({ status: 404, description: 'ERASURE_NOT_FOUND' })
  receipt(@Param('requestId') requestId: string) {
    return this.erasures.receipt(requestId);
  }
}
