export type ContractErrorCode =
  | 'CONTRACT_INVALID_FILE'
  | 'CONTRACT_UNKNOWN_SCHEMA'
  | 'CONTRACT_UNKNOWN_TOPIC'
  | 'CONTRACT_MISSING_ID';

export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractError';
  }
}
