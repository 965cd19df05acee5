export interface ConfigIssue {
  /** The environment variable at fault. */
  variable: string;
  /** Why its value was rejected. */
  reason: string;
  /** The raw value, when one was set. */
  received: string | undefined;
}

/** Thrown at start-up when the environment does not describe a usable configuration. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'ConfigError';
  }
}

function formatIssue({ variable, reason, received }: ConfigIssue): string {
  return received === undefined ? `${variable}: ${reason}` : `${variable}: ${reason}, got ${JSON.stringify(redact(received))}`;
}

// Start-up errors end up in logs: never echo a password embedded in a connection URL.
function redact(value: string): string {
  return value.replace(/(\/\/[^:/@\s]+:)[^@\s]*@/g, '$1***@');
}
