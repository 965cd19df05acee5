import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import { AnalyticsError } from '../analytics.error';
import type { AnalyticsConfig } from '../config';

/**
 * The HTTP API's one gate: a bearer token equal to ANALYTICS_API_TOKEN. The platform's token
 * service with roles and scopes (`sql:read`, report access) replaces this guard, and only this
 * guard, when it arrives.
 */
@Injectable()
export class AnalyticsTokenGuard implements CanActivate {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: AnalyticsConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<IncomingMessage>().headers.authorization;
    const token = header?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) throw new AnalyticsError('API_TOKEN_MISSING', 'Send the API token as "Authorization: Bearer <token>"', 401, { authenticate: 'Bearer' });
    if (!secretsEqual(token, this.config.analytics.apiToken)) {
      throw new AnalyticsError('API_TOKEN_INVALID', 'The API token is not valid', 401, { authenticate: 'Bearer error="invalid_token"' });
    }
    return true;
  }
}

/** Compares two secrets in time independent of where they differ (hashing first equalises the lengths). */
function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}
