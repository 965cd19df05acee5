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
