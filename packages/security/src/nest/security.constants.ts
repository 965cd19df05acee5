/** The service's SecuritySettings (from its config). */
export const SECURITY_SETTINGS = Symbol('SECURITY_SETTINGS');
/** The SecurityModule's options. */
export const SECURITY_OPTIONS = Symbol('SECURITY_OPTIONS');
/** `() => epoch ms`: the clock token expiry is checked against. */
export const SECURITY_CLOCK = Symbol('SECURITY_CLOCK');

export const SCOPES_METADATA = 'cdp:security:scopes';
export const ROLES_METADATA = 'cdp:security:roles';
export const AUTHENTICATED_METADATA = 'cdp:security:authenticated';
export const AUDITED_METADATA = 'cdp:security:audited';
