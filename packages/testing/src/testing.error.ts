export type TestingErrorCode =
  | 'INFRA_NOT_SET_UP'
  | 'INFRA_UNAVAILABLE'
  | 'NOT_A_TEST_DATABASE'
  | 'UNSAFE_TOPIC_PREFIX'
  | 'REPO_ROOT_NOT_FOUND';

/** Raised by the test harness; `code` lets callers and tests tell refusals from infrastructure faults. */
export class TestingError extends Error {
  constructor(
    readonly code: TestingErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TestingError';
  }
}
