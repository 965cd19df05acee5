import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@cdp/service-kit';
import type { ProfileConfig } from '../config';
import { ProfileError } from './profile.error';

export type Downstream = 'analytics' | 'segmentation' | 'loyalty';

const VARIABLE: Record<Downstream, string> = { analytics: 'PROFILE_ANALYTICS_URL', segmentation: 'PROFILE_SEGMENTATION_URL', loyalty: 'PROFILE_LOYALTY_URL' };

/**
 * Reads of a person's timeline, segments and loyalty from the services that own them. The caller's
 * own bearer token is passed on, so those services apply the caller's scopes (tokens are shared
 * platform-wide), and nobody reaches through this service with more rights than they hold. A service
 * that is not configured, down or slow is a 503 with `available: false` and the reason.
 */
@Injectable()
export class DownstreamClient {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: ProfileConfig) {}

  async get(service: Downstream, path: string, query: Record<string, string>, authorization: string | undefined): Promise<unknown> {
    const base = this.baseUrl(service);
    if (!base) {
      throw new ProfileError('SERVICE_NOT_CONFIGURED', `${service} is not configured here (${VARIABLE[service]} is not set)`, 503, { available: false, service, reason: 'not_configured' });
    }
    const url = new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const timeoutMs = this.config.profile.downstreamTimeoutMs;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new ProfileError('SERVICE_UNAVAILABLE', timedOut ? `${service} did not answer within ${timeoutMs} ms` : `${service} cannot be reached`, 503, {
        available: false,
        service,
        reason: timedOut ? 'timeout' : 'unreachable',
      });
    }
    const text = await res.text();
    const body = parse(text);
    if (res.ok) return body;
    if (res.status >= 500) throw new ProfileError('SERVICE_UNAVAILABLE', `${service} answered ${res.status}`, 503, { available: false, service, reason: 'error', upstreamStatus: res.status });
    const detail = body && typeof body === 'object' ? (body as { detail?: unknown; code?: unknown }) : {};
    throw new ProfileError(
      'SERVICE_UNAVAILABLE',
      `${service} refused the request (${res.status}${typeof detail.code === 'string' ? ` ${detail.code}` : ''})${typeof detail.detail === 'string' ? `: ${detail.detail}` : ''}`,
      res.status,
      { available: false, service, reason: 'refused', upstreamStatus: res.status },
    );
  }

  private baseUrl(service: Downstream): string | undefined {
    switch (service) {
      case 'analytics':
        return this.config.profile.analyticsUrl;
      case 'segmentation':
        return this.config.profile.segmentationUrl;
      case 'loyalty':
        return this.config.profile.loyaltyUrl;
      default: {
        const unreachable: never = service;
        throw new Error(`unknown service ${String(unreachable)}`);
      }
    }
  }
}

function parse(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
