import { principalOf, tokenStatus, type Principal } from '../domain/access-token';
import { SCOPES } from '../domain/scopes';
import { SecurityError } from '../security.error';
import { ACCESS_TOKEN_PATTERN, hashToken, secretsEqual } from './token-secret';
import type { TokenRegistry } from './token-registry';

/** Token id of CDP_BOOTSTRAP_ADMIN_TOKEN in principals and audit entries. */
export const BOOTSTRAP_TOKEN_ID = 'bootstrap';

export const BOOTSTRAP_PRINCIPAL: Principal = Object.freeze({
  tokenId: BOOTSTRAP_TOKEN_ID,
  name: 'bootstrap admin token',
  role: 'admin',
  scopes: SCOPES,
});

const REALM = 'Bearer realm="cdp"';

/** Turns an Authorization header into the calling principal, or a coded 401 (or 503) explaining why not. */
export class Authenticator {
  constructor(
    private readonly registry: TokenRegistry,
    private readonly bootstrapToken: string,
    private readonly clock: () => number,
  ) {}

  authenticate(authorization: string | undefined): Principal {
    const token = authorization?.match(/^\s*Bearer\s+(\S+)\s*$/i)?.[1];
    if (!token) {
      throw new SecurityError('AUTH_TOKEN_MISSING', 'Send a management API token as "Authorization: Bearer <token>"', 401, { authenticate: REALM });
    }
    if (secretsEqual(token, this.bootstrapToken)) return BOOTSTRAP_PRINCIPAL;
    const invalid = () =>
      new SecurityError('AUTH_TOKEN_INVALID', 'The bearer token is not a valid management API token', 401, { authenticate: `${REALM}, error="invalid_token"` });
    if (!ACCESS_TOKEN_PATTERN.test(token)) throw invalid();

    // Until the registry has read the topic to its end, an unknown token may merely be unread,
    // and a known one may have a revocation further on: only the bootstrap token is trusted.
    if (!this.registry.caughtUp) {
      throw new SecurityError('AUTH_NOT_READY', 'The token registry is still loading; retry shortly', 503, { retryAfterSeconds: 2 });
    }
    const state = this.registry.findByHash(hashToken(token));
    if (!state) throw invalid();
    const status = tokenStatus(state, this.clock());
    if (status === 'revoked') {
      throw new SecurityError('AUTH_TOKEN_REVOKED', `Token ${state.tokenId} ("${state.name}") was revoked at ${new Date(state.revokedAt!).toISOString()}`, 401, {
        authenticate: `${REALM}, error="invalid_token", error_description="token revoked"`,
      });
    }
    if (status === 'expired') {
      throw new SecurityError('AUTH_TOKEN_EXPIRED', `Token ${state.tokenId} ("${state.name}") expired at ${new Date(state.expiresAt!).toISOString()}`, 401, {
        authenticate: `${REALM}, error="invalid_token", error_description="token expired"`,
      });
    }
    return principalOf(state);
  }
}
