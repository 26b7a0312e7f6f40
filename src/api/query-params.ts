export const DEFAULT_RECENT_LIMIT = 100;
export const MAX_RECENT_LIMIT = 1000;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * `limit` for `/stats/recent`: absent → 100; otherwise plain decimal digits naming 1–1000.
 * Anything else (`0`, `1001`, `abc`, `2.5`, `-5`, `1e2`, empty) is rejected.
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
