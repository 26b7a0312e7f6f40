/**
 * Errors the service raises itself carry a stable `code` (for logs, tests and alerts) and keep the
 * original error as `cause`, in the style of undici's `UND_ERR_*` errors.
 */
export type ErrorCode =
  | 'LMP_CONFIG_INVALID'
  | 'LMP_STORE_OPEN_FAILED'
  | 'LMP_STORE_WRITE_FAILED'
  | 'LMP_CAPTURE_FAILED'
  | 'LMP_LISTEN_FAILED';

export class AppError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}
