import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { IngestionConfig } from '../config';
import { IngestionError } from '../application/ingestion.error';
import { secretsEqual } from '../application/secrets';

/**
 * The management API's one gate: a bearer token equal to INGESTION_ADMIN_TOKEN. The platform's
 * token service with roles replaces this guard, and only this guard, when it arrives.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: IngestionConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<IncomingMessage>().headers.authorization;
    const token = header?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) throw new IngestionError('ADMIN_TOKEN_MISSING', 'Send the admin token as "Authorization: Bearer <token>"', 401, { authenticate: 'Bearer' });
    if (!secretsEqual(token, this.config.ingestion.adminToken)) {
      throw new IngestionError('ADMIN_TOKEN_INVALID', 'The admin token is not valid', 401, { authenticate: 'Bearer error="invalid_token"' });
    }
    return true;
  }
}
