import type { ErrorType } from '../domain/request-record.js';

/** A transport failure classified for the client (status, body) and for the row (error_type). */
export interface UpstreamFailure {
  readonly errorType: ErrorType;
  /** Status for the client when no response has started yet. */
  readonly status: 502 | 504;
  readonly message: string;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  // undici wraps socket errors; the first code found on the cause chain decides.
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Maps an undici/socket error to what the client and the row get (the mapping reply-from uses:
 * timeouts → 504, everything that stops the upstream answering → 502). `upstream` is shown without
 * credentials.
 */
export function classifyUpstreamError(err: unknown, upstream: string): UpstreamFailure {
  const code = errorCode(err) ?? 'UNKNOWN';
  const detail = err instanceof Error ? err.message : String(err);
  if (TIMEOUT_CODES.has(code)) {
    return { errorType: 'upstream_timeout', status: 504, message: `Upstream ${upstream} timed out (${code})` };
  }
  if (UNREACHABLE_CODES.has(code)) {
    return { errorType: 'upstream_unreachable', status: 502, message: `Upstream ${upstream} is unreachable: ${detail} (${code})` };
  }
  return { errorType: 'upstream_reset', status: 502, message: `Upstream ${upstream} closed the connection: ${detail} (${code})` };
}
