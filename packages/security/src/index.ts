export { SecurityError } from './security.error';
export type { SecurityErrorCode } from './security.error';
export type { SqlExecutor } from './sql';

export { BlindIndex, BLIND_INDEX_MIN_KEY_BYTES } from './crypto/blind-index';
export { KeyRing, KEY_ID_PATTERN } from './crypto/key-ring';
export type { KeyRingConfig, WrappedKey } from './crypto/key-ring';
export { encryptField, decryptField } from './crypto/field-cipher';
export { BLOB_VERSION } from './crypto/aes-gcm';
export { DataKeyStore } from './crypto/data-key-store';
export type { DataKeyStoreOptions, DataKeyCacheOptions } from './crypto/data-key-store';
export { rotateMasterKey } from './crypto/master-key-rotation';
export type { RotationOptions, RotationProgress } from './crypto/master-key-rotation';
export { securityTablesDdl, ensureSecurityTables } from './security-tables';

export {
  securityEnv,
  buildSecuritySettings,
  securitySettingsFrom,
  parseMasterKeys,
  DEVELOPMENT_MASTER_KEYS,
  DEVELOPMENT_BLIND_INDEX_KEY,
  DEVELOPMENT_BOOTSTRAP_ADMIN_TOKEN,
} from './security-config';
export type { SecuritySettings, SecurityEnvValues } from './security-config';

export { ROLES, SCOPES, ROLE_SCOPES, isRole, isScope, resolveScopes, missingScopes } from './domain/scopes';
export type { Role, Scope, ScopeResolution } from './domain/scopes';
export { decide as decideToken, evolve as evolveToken, tokenStatus, principalOf, authorize } from './domain/access-token';
export type { TokenState, TokenStatus, TokenCommand, TokenEvent, TokenRejection, TokenDecision, Authorization } from './domain/access-token';

export { ACCESS_TOKEN_PREFIX, ACCESS_TOKEN_PATTERN, newAccessToken, hashToken, secretsEqual } from './auth/token-secret';
export { TokenRegistry } from './auth/token-registry';
export { TokenTopic } from './auth/token-topic';
export type { TokenTopicOptions, PublishedAt } from './auth/token-topic';
export { Authenticator, BOOTSTRAP_TOKEN_ID, BOOTSTRAP_PRINCIPAL } from './auth/authenticator';
export { tokenRecord, tokenEventOf } from './auth/token-record';
export { parseCreateTokenRequest } from './auth/token-request';
export type { CreateTokenRequest } from './auth/token-request';

export { AuditLog } from './audit/audit-log';
export type { AuditEntry, AuditEntryInput, AuditOutcome, AuditClient, AuditQuery, AuditPage } from './audit/audit-log';

export { SecurityModule } from './nest/security.module';
export type { SecurityModuleOptions } from './nest/security-module.options';
export { RequireScopes, Roles, Authenticated, Audited, Principal, AuditTrail } from './nest/decorators';
export type { AuditedOptions } from './nest/decorators';
export type { RequestAudit, RequestAuditEntry, SecuredRequest } from './nest/request-context';
export { auditClientOf } from './nest/request-context';
export { AccessTokens } from './nest/access-tokens.service';
export type { TokenView, IssuedToken } from './nest/access-tokens.service';
export { SecurityGuard } from './nest/security.guard';
export { AuditInterceptor } from './nest/audit.interceptor';
export { TOKENS_READINESS_CHECK } from './nest/token-follower';
export { SECURITY_SETTINGS, SECURITY_CLOCK } from './nest/security.constants';
