/**
 * Header filtering for both directions of the proxy. Raw, flat `[name, value, name, value…]` arrays
 * keep the original case, order and repeats (e.g. several Set-Cookie), and empty values survive.
 */

/** Hop-by-hop fields (RFC 9110 §7.6.1, plus the legacy ones Hono's and nginx's proxies drop too). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Request fields the proxy does not pass on: hop-by-hop ones, `host` (the upstream's own is sent)
 * and `expect` (Node already answered `100-continue` to the client).
 */
const NOT_FORWARDED_UP = new Set([...HOP_BY_HOP, 'host', 'expect']);

/** Names listed in a `Connection` field are hop-by-hop for this message too (RFC 9110 §7.6.1). */
function connectionTokens(raw: readonly string[]): Set<string> | null {
  let tokens: Set<string> | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

function filter(raw: readonly string[], drop: ReadonlySet<string>): string[] {
  const extra = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (drop.has(lower) || extra?.has(lower)) continue;
    out.push(name, raw[i + 1] as string);
  }
  return out;
}

/** Client request headers (Node's `req.rawHeaders`) → headers for the upstream request. */
export function requestHeadersForUpstream(rawHeaders: readonly string[]): string[] {
  return filter(rawHeaders, NOT_FORWARDED_UP);
}

/**
 * Upstream response headers (undici's raw Buffers) → headers for the client. Values are decoded
 * as latin1, which Node writes back byte for byte.
 */
export function responseHeadersForClient(rawHeaders: readonly Buffer[]): string[] {
  const raw: string[] = new Array(rawHeaders.length);
  for (let i = 0; i < rawHeaders.length; i++) raw[i] = (rawHeaders[i] as Buffer).toString('latin1');
  return filter(raw, HOP_BY_HOP);
}

/** First value of a header in a flat raw array (name compared case-insensitively). */
export function rawHeaderValue(raw: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}

/** A flat raw header array without every field named `lowerName`. */
export function withoutHeader(raw: readonly string[], lowerName: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() !== lowerName) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}
