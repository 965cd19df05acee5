import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TokenRegistry } from '../auth/token-registry';
import { newAccessToken, hashToken } from '../auth/token-secret';
import { TokenTopic } from '../auth/token-topic';
import type { CreateTokenRequest } from '../auth/token-request';
import { decide, tokenStatus, type Principal, type TokenEvent, type TokenRejection, type TokenState, type TokenStatus } from '../domain/access-token';
import { SecurityError } from '../security.error';
import { SECURITY_CLOCK, SECURITY_OPTIONS } from './security.constants';
import type { SecurityModuleOptions } from './security-module.options';

/** A token as the admin API shows it: never its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: string;
  scopes: string[];
  status: TokenStatus;
  createdAt: string;
  createdBy: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** The answer to a create: the token itself, shown this once. */
export interface IssuedToken extends TokenView {
  token: string;
}

/**
 * Issues and revokes tokens by publishing to cdp.auth.tokens, answering only once this instance's
 * registry has applied the write, so the caller can use (or no longer use) the token here at once.
 * Other instances apply it within their consumer's lag.
 */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly registry: TokenRegistry,
    private readonly topic: TokenTopic,
    @Inject(SECURITY_CLOCK) private readonly clock: () => number,
    @Inject(SECURITY_OPTIONS) private readonly options: SecurityModuleOptions,
  ) {}

  async issue(request: CreateTokenRequest, issuer: Principal, correlationId: string | null = null): Promise<IssuedToken> {
    const token = newAccessToken();
    const tokenId = randomUUID();
    const decision = decide({ type: 'IssueToken', tokenId, tokenHash: hashToken(token), ...request, issuer, now: this.clock() }, undefined);
    if (!decision.ok) throw rejected(decision.rejection);
    const state = await this.publish(decision.events, correlationId);
    return { ...this.view(state), token };
  }

  async revoke(tokenId: string, by: Principal, correlationId: string | null = null): Promise<TokenView> {
    const current = this.registry.get(tokenId);
    const decision = decide({ type: 'RevokeToken', by, now: this.clock() }, current);
    if (!decision.ok) throw rejected(decision.rejection, tokenId);
    return this.view(decision.events.length === 0 ? current! : await this.publish(decision.events, correlationId));
  }

  list(): TokenView[] {
    return this.registry.list().map((state) => this.view(state));
  }

  get(tokenId: string): TokenView {
    const state = this.registry.get(tokenId);
    if (!state) throw rejected({ code: 'TOKEN_NOT_FOUND', message: 'no such token' }, tokenId);
    return this.view(state);
  }

  private async publish(events: TokenEvent[], correlationId: string | null): Promise<TokenState> {
    const timeoutMs = this.options.readYourWritesTimeoutMs ?? 10_000;
    for (const event of events) {
      const at = await withTimeout(this.topic.publish(event, correlationId), timeoutMs).catch((error: unknown) => {
        throw new SecurityError('TOKEN_REGISTRY_UNAVAILABLE', 'Kafka did not take the token change; nothing was changed, retry', 503, { cause: error, retryAfterSeconds: 5 });
      });
      if (!(await this.registry.waitUntilSeen(at.partition, at.offset, timeoutMs))) {
        // The change is in Kafka and takes effect once this instance reads it; a new token's secret is lost with this answer.
        throw new SecurityError('TOKEN_REGISTRY_UNAVAILABLE', `The token change was recorded but this instance has not applied it within ${timeoutMs} ms`, 503, { retryAfterSeconds: 5 });
      }
    }
    return this.registry.get(events[events.length - 1]!.token.tokenId)!;
  }

  private view(state: TokenState): TokenView {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: state.tokenId,
      name: state.name,
      role: state.role,
      scopes: [...state.scopes],
      status: tokenStatus(state, this.clock()),
      createdAt: new Date(state.createdAt).toISOString(),
      createdBy: state.createdBy,
      expiresAt: iso(state.expiresAt),
      revokedAt: iso(state.revokedAt),
      revokedBy: state.revokedBy,
    };
  }
}

function rejected(rejection: TokenRejection, tokenId?: string): SecurityError {
  switch (rejection.code) {
    case 'INVALID_TOKEN_REQUEST':
      return new SecurityError('INVALID_TOKEN_REQUEST', rejection.message, 422, { field: rejection.field });
    case 'TOKEN_SCOPE_ESCALATION':
      return new SecurityError('TOKEN_SCOPE_ESCALATION', rejection.message, 403);
    case 'TOKEN_NOT_FOUND':
      return new SecurityError('TOKEN_NOT_FOUND', `token ${tokenId ?? ''} does not exist`, 404);
    case 'TOKEN_EXISTS':
      return new SecurityError('TOKEN_EXISTS', rejection.message, 409);
    default: {
      const unreachable: never = rejection;
      throw new Error(`unknown rejection ${JSON.stringify(unreachable)}`);
    }
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
