/**
 * Byte-level HTTP/1.1 helpers for integration tests: requests written by hand on a `node:net`
 * socket (exact header names, order, hop-by-hop fields, chunked bodies) and responses read back as
 * the raw bytes the server sent, plus a thin `node:http` wrapper that never decompresses.
 */
import { request as httpRequestFn, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';

export type RawHeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** A response as read off the wire. */
export interface RawResponse {
  /** Every byte the server sent on the connection. */
  readonly raw: Buffer;
  /** The status line and header lines as sent, decoded as latin1, up to (not including) the blank line. */
  readonly head: string;
  readonly status: number;
  /** The reason phrase exactly as sent ('' when none). */
  readonly reason: string;
  /** `[name, value, name, value…]` as sent (case kept; value with surrounding spaces/tabs removed). */
  readonly rawHeaders: string[];
  /** The payload: de-chunked when `Transfer-Encoding: chunked`, otherwise the bytes after the head. */
  readonly body: Buffer;
}

/** Builds request bytes: `METHOD target HTTP/1.1`, the headers exactly as given, CRLF, body. */
export function buildRawRequest(method: string, target: string, headers: RawHeaderList, body: Buffer | string = Buffer.alloc(0)): Buffer {
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += '\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** Chunked transfer coding of `parts` (one chunk each, then the last-chunk). */
export function chunkedBody(parts: ReadonlyArray<Buffer | string>): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    const buf = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    if (buf.length === 0) continue;
    out.push(Buffer.from(`${buf.length.toString(16)}\r\n`, 'latin1'), buf, Buffer.from('\r\n', 'latin1'));
  }
  out.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(out);
}

/**
 * Writes `requestBytes` on a fresh TCP connection and resolves with everything the server sent
 * until it closed the connection (send `Connection: close` so it does). `headOnly` parses a
 * response without a body (HEAD).
 */
export function rawExchange(port: number, requestBytes: Buffer, options: { headOnly?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('end', () => {
      clearTimeout(timer);
      socket.end();
      try {
        resolve(parseRawResponse(Buffer.concat(chunks), options.headOnly ?? false));
      } catch (err) {
        reject(err as Error);
      }
    });
    socket.write(requestBytes);
  });
}

/** Parses one complete HTTP/1.1 response. */
export function parseRawResponse(raw: Buffer, headOnly = false): RawResponse {
  const headEnd = raw.indexOf('\r\n\r\n', 0, 'latin1');
  if (headEnd === -1) throw new Error(`no end of head in ${JSON.stringify(raw.toString('latin1'))}`);
  const head = raw.toString('latin1', 0, headEnd);
  const lines = head.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
  if (m === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
  const rawHeaders: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
    rawHeaders.push(line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, ''));
  }
  const rawBody = raw.subarray(headEnd + 4);
  const chunked = /(^|,)\s*chunked\s*$/i.test(headerValues(rawHeaders, 'transfer-encoding').join(','));
  let body: Buffer;
  if (headOnly) body = Buffer.alloc(0);
  else if (chunked) body = dechunk(rawBody);
  else {
    const length = headerValues(rawHeaders, 'content-length')[0];
    body = length === undefined ? rawBody : rawBody.subarray(0, Number(length));
    if (length !== undefined && body.length !== Number(length)) throw new Error(`body has ${body.length} bytes, Content-Length says ${length}`);
  }
  return { raw, head, status: Number(m[1]), reason: m[2] ?? '', rawHeaders, body };
}

/** Decodes a complete chunked body (trailers ignored); throws if the framing is broken. */
export function dechunk(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos, 'latin1');
    if (lineEnd === -1) throw new Error('chunked body: size line not terminated');
    const sizeText = (buf.toString('latin1', pos, lineEnd).split(';')[0] ?? '').trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new Error(`chunked body: bad size ${JSON.stringify(sizeText)}`);
    const size = parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) return Buffer.concat(out);
    if (pos + size + 2 > buf.length) throw new Error('chunked body: truncated chunk');
    out.push(buf.subarray(pos, pos + size));
    if (buf.toString('latin1', pos + size, pos + size + 2) !== '\r\n') throw new Error('chunked body: chunk not followed by CRLF');
    pos += size + 2;
  }
}

/** Every value of `name` (case-insensitive) in a flat raw header list, in order. */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === lower) out.push(rawHeaders[i + 1] as string);
  }
  return out;
}

/** The flat raw header list as `[name, value]` pairs. */
export function headerPairs(rawHeaders: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return out;
}

/** A response read with `node:http` (chunked framing removed by Node, content never decompressed). */
export interface HttpResult {
  readonly status: number;
  readonly statusMessage: string;
  readonly rawHeaders: string[];
  readonly body: Buffer;
}

export interface HttpRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string | number>;
  readonly body?: Buffer | string;
  readonly timeoutMs?: number;
}

/** One request on a fresh connection (`agent: false`), body collected as Buffer. */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const req = httpRequestFn(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(options.body);
  });
}

/** Resolves once `performance.now()` has reached `deadline` (setTimeout alone may fire up to ~1 ms early). */
export async function waitUntil(deadline: number): Promise<void> {
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}

/** A promise plus its resolve function, for gating an upstream on something the client saw. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
