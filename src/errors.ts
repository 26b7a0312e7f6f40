/**
 * Errors the service raises itself carry a stable `code` (for logs, tests and alerts) and keep the
 * original error as `cause`, in the style of undici's `UND_ERR_*` errors.
 */
export type ErrorCode =
  | 'LMP_CONFIG_INVALID'
  | 'LMP_STORE_OPEN_FAILED'
  | 'LMP_STORE_WRITE_FAILED'
  | 'LMP_CAPTURE_FAILED'
  | 'LMP_LISTEN_FAILED'
  | 'LMP_METRICS_UNAVAILABLE';

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

/**
 * A batch write failed. `invalidIndex` names the record that can never be written (a capture bug),
 * so the recorder can set it aside instead of retrying the batch forever; null for failures of the
 * store itself (disk full, database locked, connection lost), which are worth retrying.
 */
export class StoreWriteError extends AppError {
  readonly invalidIndex: number | null;

  constructor(message: string, invalidIndex: number | null, options?: { cause?: unknown }) {
    super('LMP_STORE_WRITE_FAILED', message, options);
    this.name = 'StoreWriteError';
    this.invalidIndex = invalidIndex;
  }
}
