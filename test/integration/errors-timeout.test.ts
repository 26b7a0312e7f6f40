import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { ServerResponse } from 'node:http';
import OpenAI, { InternalServerError } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk } from '../helpers/chunks.js';

/** UPSTREAM_TIMEOUT_MS: an upstream that never answers gets a 504, one that stalls mid-body gets cut. */

const TIMEOUT_MS = 300;

interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The response ended cleanly (false: the connection was cut). */
  complete: boolean;
  elapsedMs: number;
}

/** Posts `body` on its own connection; resolves when the response ends or is cut (never rejects for a cut). */
function rawPost(url: string, body: string, limitMs = 5000): Promise<RawResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, timeout: limitMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const done = (): void => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, elapsedMs: performance.now() - started });
      };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      res.on('error', done); // 'aborted' / ECONNRESET: the cut is the result
      res.on('close', done);
    });
    req.on('timeout', () => req.destroy(new Error(`no complete response within ${limitMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

describe('errors: upstream timeout', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  /** Upstream responses left hanging, with whether the proxy closed them. */
  const hanging: { res: ServerResponse; closed: Promise<number> }[] = [];
  let requests = 0;

  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url, upstreamTimeoutMs: TIMEOUT_MS });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  /** The upstream accepts the request and never sends headers. */
  function neverAnswer(): void {
    upstream.handle((_req, res) => {
      const started = performance.now();
      hanging.push({ res, closed: new Promise((resolve) => res.once('close', () => resolve(performance.now() - started))) });
    });
  }

  it('no response headers within upstreamTimeoutMs: the SDK gets a 504 upstream_timeout / gateway_timeout', { timeout: 15_000 }, async () => {
    const n = ++requests;
    neverAnswer();
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
    const started = performance.now();
    const err = await client.chat.completions.create({ model: 'm-slow', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => assert.fail('expected an APIError'),
      (e: unknown) => e,
    );
    const elapsed = performance.now() - started;
    assert.ok(err instanceof InternalServerError, `got ${String(err)}`);
    assert.equal(err.status, 504);
    const message = `Upstream ${upstream.url} timed out (UND_ERR_HEADERS_TIMEOUT)`;
    assert.deepEqual(err.error, { message, type: 'upstream_timeout', code: 'gateway_timeout' });
    assert.ok(elapsed >= TIMEOUT_MS - 5, `answered after ${elapsed} ms, before the ${TIMEOUT_MS} ms timeout`);
    assert.ok(elapsed < TIMEOUT_MS + 2000, `answered after ${elapsed} ms`);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 504);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_timeout');
    assert.equal(row.error_message, message);
    assert.equal(row.model, 'm-slow');
    assert.equal(row.ttft_ms, null);
    assert.ok(row.duration_ms >= TIMEOUT_MS - 5, `duration_ms ${row.duration_ms}`);
  });

  it('no response headers within upstreamTimeoutMs: a raw stream request gets the exact 504 JSON body and the upstream request is dropped', { timeout: 15_000 }, async () => {
    const n = ++requests;
    neverAnswer();
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'm-slow', stream: true, messages: [] }));
    const expected = JSON.stringify({ error: { message: `Upstream ${upstream.url} timed out (UND_ERR_HEADERS_TIMEOUT)`, type: 'upstream_timeout', code: 'gateway_timeout' } });
    assert.equal(res.status, 504);
    assert.equal(res.complete, true);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.body.toString(), expected);

    const upstreamSide = hanging.at(-1);
    assert.ok(upstreamSide);
    const closedAfter = await upstreamSide.closed;
    assert.ok(closedAfter < TIMEOUT_MS + 2000, `upstream request closed after ${closedAfter} ms`);
    assert.equal(upstreamSide.res.headersSent, false);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 504);
    assert.equal(row.error_type, 'upstream_timeout');
    assert.equal(row.was_streamed, true);
  });

  it('a stream that stalls longer than upstreamTimeoutMs between chunks is cut and recorded as upstream_timeout with status 200', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const first = `data: ${chatChunk({ role: 'assistant', content: 'Hel' })}\n\n`;
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(first);
      hanging.push({ res, closed: new Promise((resolve) => res.once('close', () => resolve(0))) });
      // …and nothing more.
    });
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'm-stall', stream: true, messages: [] }));
    assert.equal(res.status, 200);
    assert.equal(res.complete, false, 'the client must see the stream cut, not a clean end');
    assert.equal(res.body.toString(), first);
    assert.ok(res.elapsedMs >= TIMEOUT_MS - 5, `cut after ${res.elapsedMs} ms`);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 200);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_timeout');
    assert.equal(row.error_message, `Upstream ${upstream.url} timed out (UND_ERR_BODY_TIMEOUT)`);
    assert.equal(row.was_streamed, true);
    assert.equal(typeof row.ttft_ms, 'number');
  });
});
