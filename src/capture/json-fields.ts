/**
 * Reads chosen top-level members of a JSON object without parsing the rest.
 *
 * Request bodies can carry megabytes of base64 images or long prompts, and embedding responses
 * megabytes of floats; capture needs only `model`, `stream`, `usage`… This scanner walks the
 * top-level object on the raw bytes (JSON's structural characters are ASCII, so byte offsets are
 * safe in UTF-8), skips strings with native `indexOf`, and JSON.parses only the wanted values.
 * Hand-written because no maintained library extracts top-level fields from a Buffer lazily.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export interface TopLevelOptions {
  /** Members whose values are parsed and returned. */
  readonly parse: readonly string[];
  /** Array members whose element count is returned instead of their value. */
  readonly count?: readonly string[];
}

export interface TopLevelResult {
  readonly values: Map<string, unknown>;
  readonly counts: Map<string, number>;
}

/** Returns the wanted members, or null when the body is not a JSON object (never throws). */
export function readTopLevel(body: Buffer, options: TopLevelOptions): TopLevelResult | null {
  try {
    return scanObject(body, options);
  } catch {
    return null;
  }
}

function scanObject(buf: Buffer, options: TopLevelOptions): TopLevelResult | null {
  const values = new Map<string, unknown>();
  const counts = new Map<string, number>();
  let pos = skipWhitespace(buf, 0);
  if (buf[pos] !== OPEN_BRACE) return null;
  pos = skipWhitespace(buf, pos + 1);
  if (buf[pos] === CLOSE_BRACE) return { values, counts };
  for (;;) {
    if (buf[pos] !== QUOTE) return null;
    const keyEnd = skipString(buf, pos);
    const key = JSON.parse(buf.toString('utf8', pos, keyEnd)) as string;
    pos = skipWhitespace(buf, keyEnd);
    if (buf[pos] !== COLON) return null;
    const valueStart = skipWhitespace(buf, pos + 1);
    if (options.count?.includes(key) && buf[valueStart] === OPEN_BRACKET) {
      const [end, n] = countArray(buf, valueStart);
      counts.set(key, n);
      pos = end;
    } else {
      pos = skipValue(buf, valueStart);
      if (options.parse.includes(key)) values.set(key, JSON.parse(buf.toString('utf8', valueStart, pos)));
    }
    pos = skipWhitespace(buf, pos);
    if (buf[pos] === COMMA) {
      pos = skipWhitespace(buf, pos + 1);
      continue;
    }
    if (buf[pos] === CLOSE_BRACE) return { values, counts };
    return null;
  }
}

function skipWhitespace(buf: Buffer, pos: number): number {
  let p = pos;
  while (p < buf.length) {
    const c = buf[p];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/** `pos` is at an opening quote; returns the offset just past the closing one. */
function skipString(buf: Buffer, pos: number): number {
  let p = pos + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, p);
    if (q === -1) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    while (buf[q - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    p = q + 1;
  }
}

/** Returns the offset just past the value starting at `pos`. */
function skipValue(buf: Buffer, pos: number): number {
  const c = buf[pos];
  if (c === QUOTE) return skipString(buf, pos);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return skipContainer(buf, pos);
  // number, true, false, null: up to the next delimiter
  let p = pos;
  while (p < buf.length) {
    const d = buf[p];
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    p++;
  }
  if (p === pos) throw new SyntaxError('value expected');
  return p;
}

function skipContainer(buf: Buffer, pos: number): number {
  let depth = 0;
  let p = pos;
  while (p < buf.length) {
    const c = buf[p];
    if (c === QUOTE) {
      p = skipString(buf, p);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return p + 1;
    }
    p++;
  }
  throw new SyntaxError('unterminated container');
}

/** `pos` is at `[`; returns [offset past `]`, number of elements]. */
function countArray(buf: Buffer, pos: number): [number, number] {
  let p = skipWhitespace(buf, pos + 1);
  if (buf[p] === CLOSE_BRACKET) return [p + 1, 0];
  let n = 0;
  for (;;) {
    p = skipWhitespace(buf, skipValue(buf, p));
    n++;
    if (buf[p] === COMMA) {
      p = skipWhitespace(buf, p + 1);
      continue;
    }
    if (buf[p] === CLOSE_BRACKET) return [p + 1, n];
    throw new SyntaxError('bad array');
  }
}

/** A top-level member's place in the raw bytes: from its key's opening quote to the end of its value. */
export interface MemberSpan {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/**
 * The top-level members of a JSON object and the offset of its closing brace, or null when the
 * body is not a JSON object (never throws). For the opt-in rewrites of STREAM_USAGE=inject.
 */
export function topLevelMembers(buf: Buffer): { members: MemberSpan[]; close: number } | null {
  try {
    const members: MemberSpan[] = [];
    let pos = skipWhitespace(buf, 0);
    if (buf[pos] !== OPEN_BRACE) return null;
    pos = skipWhitespace(buf, pos + 1);
    if (buf[pos] === CLOSE_BRACE) return { members, close: pos };
    for (;;) {
      if (buf[pos] !== QUOTE) return null;
      const start = pos;
      const keyEnd = skipString(buf, pos);
      const key = JSON.parse(buf.toString('utf8', pos, keyEnd)) as string;
      pos = skipWhitespace(buf, keyEnd);
      if (buf[pos] !== COLON) return null;
      const end = skipValue(buf, skipWhitespace(buf, pos + 1));
      members.push({ key, start, end });
      pos = skipWhitespace(buf, end);
      if (buf[pos] === COMMA) {
        pos = skipWhitespace(buf, pos + 1);
        continue;
      }
      if (buf[pos] === CLOSE_BRACE) return { members, close: pos };
      return null;
    }
  } catch {
    return null;
  }
}
