/** Token of the IdentifierVault (blind index and data keys built from the security settings). */
export const IDENTIFIER_VAULT = Symbol('IDENTIFIER_VAULT');
