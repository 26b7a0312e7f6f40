/**
 * STREAM_USAGE=inject, the one opt-in request change: a streamed chat/completions or completions
 * request without `stream_options.include_usage` gets it on the way up, and the usage the
 * backend then sends is removed on the way down, so the client receives the bytes it would have
 * received without the proxy while the row gets the backend's exact usage.
 *
 * - Up: `,"stream_options":{"include_usage":true}` is appended inside the request object (the
 *   rest of the body is untouched); a body with another `stream_options` is re-serialized.
 * - Down (UsageStripper): complete SSE events are forwarded as they complete (an event split
 *   across reads waits for its end: the only holding back this mode does). A usage-only chunk
 *   (`"choices":[]` with usage) is dropped whole; a `usage` member on any other chunk (`null` on
 *   every OpenAI chunk, the counts on llama.cpp's last completions chunk) is cut out with its comma.
 */
import { readTopLevel, topLevelMembers } from '../capture/json-fields.js';

/** Endpoints whose streams take `stream_options.include_usage` (OpenAI API reference). */
export const INJECT_ENDPOINTS: ReadonlySet<string> = new Set(['/v1/chat/completions', '/v1/completions']);

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true}');
const EMPTY = Buffer.alloc(0);

/**
 * The request body with include_usage asked for, or null when it needs no change (not a
 * streamed request, usage already asked for, not a JSON object).
 */
export function injectIncludeUsage(body: Buffer | null): Buffer | null {
  if (body === null) return null;
  const fields = readTopLevel(body, { parse: ['stream', 'stream_options'] });
  if (fields === null || fields.values.get('stream') !== true) return null;
  const options = fields.values.get('stream_options');
  if (options === undefined || options === null) {
    const object = topLevelMembers(body);
    if (object === null) return null;
    const comma = object.members.length > 0 ? Buffer.from(',') : EMPTY;
    return Buffer.concat([body.subarray(0, object.close), comma, INCLUDE_USAGE, body.subarray(object.close)]);
  }
  if (typeof options !== 'object' || Array.isArray(options)) return null; // invalid: let the backend say so
  if ((options as Record<string, unknown>).include_usage === true) return null;
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  parsed.stream_options = { ...(options as Record<string, unknown>), include_usage: true };
  return Buffer.from(JSON.stringify(parsed));
}

const LF = 0x0a;
const CR = 0x0d;
const USAGE_KEY = Buffer.from('"usage"');
const DATA_PREFIX = Buffer.from('data:');

/** Removes injected usage from an SSE response, event by event (see the module comment). */
export class UsageStripper {
  private pending: Buffer = EMPTY;

  /** Bytes to forward now for one read of the upstream body (possibly empty). */
  push(chunk: Buffer): Buffer {
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const cut = afterLastEvent(buf);
    this.pending = cut === buf.length ? EMPTY : Buffer.from(buf.subarray(cut));
    return cut === 0 ? EMPTY : stripEvents(buf.subarray(0, cut));
  }

  /** What is left at the end of the body (an unterminated last event), unchanged. */
  end(): Buffer {
    const rest = this.pending;
    this.pending = EMPTY;
    return rest;
  }
}

/** Offset just past the last blank line (`\n\n` or `\r\n\r\n`) in buf, or 0. */
function afterLastEvent(buf: Buffer): number {
  for (let i = buf.length - 1; i > 0; i--) {
    if (buf[i] !== LF) continue;
    if (buf[i - 1] === LF) return i + 1;
    if (buf[i - 1] === CR && i >= 3 && buf[i - 2] === LF && buf[i - 3] === CR) return i + 1;
  }
  return 0;
}

/** Complete events → the same events without injected usage. */
function stripEvents(events: Buffer): Buffer {
  if (events.indexOf(USAGE_KEY) === -1) return events; // the common case: nothing to do, no copy
  const out: Buffer[] = [];
  let start = 0;
  while (start < events.length) {
    const end = eventEnd(events, start);
    const stripped = stripEvent(events.subarray(start, end));
    if (stripped !== null) out.push(stripped);
    start = end;
  }
  return Buffer.concat(out);
}

/** Offset past the blank line ending the event that starts at `start`. */
function eventEnd(buf: Buffer, start: number): number {
  for (let i = start + 1; i < buf.length; i++) {
    if (buf[i] !== LF) continue;
    if (buf[i - 1] === LF || (buf[i - 1] === CR && i >= 3 && buf[i - 2] === LF && buf[i - 3] === CR)) return i + 1;
  }
  return buf.length;
}

/** One event without its usage; null to drop it (a usage-only chunk). Other events unchanged. */
function stripEvent(event: Buffer): Buffer | null {
  if (event.indexOf(USAGE_KEY) === -1 || !event.subarray(0, DATA_PREFIX.length).equals(DATA_PREFIX)) return event;
  const lineEnd = event.indexOf(LF);
  const dataEnd = lineEnd > 0 && event[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
  // One data line only (what OpenAI-compatible servers send); anything else passes unchanged.
  if (dataEnd < 0 || event.indexOf(DATA_PREFIX, lineEnd) !== -1) return event;
  const valueStart = event[DATA_PREFIX.length] === 0x20 ? DATA_PREFIX.length + 1 : DATA_PREFIX.length;
  const json = event.subarray(valueStart, dataEnd);
  const object = topLevelMembers(json);
  if (object === null) return event;
  const at = object.members.findIndex((m) => m.key === 'usage');
  if (at === -1) return event;
  const choices = object.members.find((m) => m.key === 'choices');
  const choicesValue = choices === undefined ? '' : json.toString('utf8', choices.start, choices.end).replace(/^"choices"\s*:\s*/, '');
  if (/^\[\s*\]$/.test(choicesValue)) return null; // the usage-only chunk the client did not ask for
  const member = object.members[at]!;
  // Cut the member with the comma after it, or (when it is last) with the comma before it.
  const next = object.members[at + 1];
  const previous = object.members[at - 1];
  const [from, to] = next !== undefined ? [member.start, next.start] : previous !== undefined ? [previous.end, member.end] : [member.start, member.end];
  return Buffer.concat([event.subarray(0, valueStart), json.subarray(0, from), json.subarray(to), event.subarray(dataEnd)]);
}
