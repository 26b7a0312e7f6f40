import { InvalidParamError, single, type QueryValues } from './param-error.js';

export const DEFAULT_RECENT_LIMIT = 100;
export const MAX_RECENT_LIMIT = 1000;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * `limit` for `/stats/recent` and `/completion_requests`: absent → 100; otherwise plain decimal
 * digits naming 1–1000. Anything else (`0`, `1001`, `abc`, `2.5`, `-5`, `1e2`, empty) is rejected.
 */
export function parseLimit(raw: string | undefined): ParseResult<number> {
  if (raw === undefined) return { ok: true, value: DEFAULT_RECENT_LIMIT };
  const value = /^[0-9]{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (value >= 1 && value <= MAX_RECENT_LIMIT) return { ok: true, value };
  return {
    ok: false,
    message: `limit must be an integer from 1 to ${MAX_RECENT_LIMIT}, got ${JSON.stringify(raw)}`,
  };
}

/** `limit` from the query string; throws InvalidParamError when invalid. */
export function limitParam(query: QueryValues): number {
  const limit = parseLimit(single(query, 'limit'));
  if (!limit.ok) throw new InvalidParamError('limit', limit.message);
  return limit.value;
}

/** `offset`: absent → undefined; otherwise plain decimal digits naming a safe integer ≥ 0. */
export function offsetParam(query: QueryValues): number | undefined {
  const raw = single(query, 'offset');
  if (raw === undefined) return undefined;
  const value = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value)) return value;
  throw new InvalidParamError('offset', `offset must be an integer of 0 or more, got ${JSON.stringify(raw)}`);
}

/** A request id from the path: plain decimal digits naming a safe integer. */
export function parseRequestId(raw: string): number {
  const value = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (Number.isSafeInteger(value)) return value;
  throw new InvalidParamError('id', `id must be a non-negative integer, got ${JSON.stringify(raw)}`);
}
