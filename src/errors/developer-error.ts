/**
 * Errors made by the user of fake-apiserver (options, fixtures, CLI arguments), as opposed to
 * errors answered to API clients (`ApiError`). They carry a stable `code` and a
 * `[fake-apiserver]`-prefixed message that says what failed, where, and what to do about it.
 */

/** Stable codes of developer-facing errors. */
export type DeveloperErrorCode =
  | 'INVALID_OPTION'
  | 'KEY_CACHE_UNWRITABLE'
  | 'DATA_DIR_UNUSABLE'
  | 'DATA_DIR_IN_USE'
  | 'DATA_DIR_CORRUPT'
  | 'FIXTURE_NOT_FOUND'
  | 'FIXTURE_PARSE_ERROR'
  | 'FIXTURE_INVALID'
  | 'SERVICE_ACCOUNT_NOT_FOUND'
  | 'POD_NOT_FOUND'
  | 'POD_FILE_NOT_FOUND'
  | 'POD_FILE_ERROR'
  | 'AUTOMOUNT_DISABLED'
  | 'INVALID_FAULT_RULE'
  | 'ALREADY_CLOSED'
  | 'CLOCK_NOT_FAKE'
  | 'FILE_NOT_OURS'
  | 'POD_NOT_RUNNABLE'
  | 'SANDBOX_UNAVAILABLE';

/** An error in how fake-apiserver was started or configured. */
export class FakeApiServerError extends Error {
  constructor(
    readonly code: DeveloperErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(`[fake-apiserver] ${message}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'FakeApiServerError';
  }
}
