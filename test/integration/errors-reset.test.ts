import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import OpenAI, { InternalServerError } from 'openai';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk } from '../helpers/chunks.js';

/** The upstream drops its connection: before headers → 502 upstream_reset; mid-stream → the client is cut too. */

interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The response ended cleanly with its last byte (false: the connection was cut). */
  complete: boolean;
  /** 'end', or what reported the cut ('aborted', 'error: …', 'close'). */
  endedBy: string;
}

/** Posts `body` on its own connection; resolves when the response ends or is cut (never rejects for a cut). */
function rawPost(url: string, body: string, limitMs = 5000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, timeout: limitMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      let endedBy: string | null = null;
      const done = (how: string): void => {
        if (endedBy !== null) return;
        endedBy = how;
        resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, endedBy: how });
      };
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done('end'));
      res.on('aborted', () => done('aborted'));
      res.on('error', (err) => done(`error: ${err.message}`));
      res.on('close', () => done('close'));
    });
    req.on('timeout', () => req.destroy(new Error(`no complete response within ${limitMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Rejects if `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const HEL = chatChunk({ role: 'assistant', content: 'Hel' });
const LO = chatChunk({ content: 'lo' });

describe('errors: upstream resets the connection', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let client: OpenAI;
  let requests = 0;

  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
    client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  /** Destroys the socket as soon as the request has been read: no status line at all. */
  function resetBeforeHeaders(): void {
    upstream.handle((req) => {
      req.socket.destroy();
    });
  }

  /** SSE headers, two content chunks 20 ms apart, then the socket is destroyed without the last chunk. */
  function resetMidStream(): void {
    upstream.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      res.write(`data: ${HEL}\n\n`);
      await sleep(20);
      res.write(`data: ${LO}\n\n`);
      await sleep(50);
      res.socket?.destroy();
    });
  }

  const resetMessage = (): string => `Upstream ${upstream.url} closed the connection: other side closed (UND_ERR_SOCKET)`;

  it('a reset before headers reaches the SDK as a 502 upstream_reset / bad_gateway, once, and is recorded as upstream_reset', { timeout: 15_000 }, async () => {
    const n = ++requests;
    resetBeforeHeaders();
    const before = upstream.received.length;
    const err = await client.chat.completions.create({ model: 'm-reset', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => assert.fail('expected an APIError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InternalServerError, `got ${String(err)}`);
    assert.equal(err.status, 502);
    assert.deepEqual(err.error, { message: resetMessage(), type: 'upstream_reset', code: 'bad_gateway' });
    assert.equal(upstream.received.length, before + 1, 'the proxy must not retry a POST on its own');

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 502);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_reset');
    assert.equal(row.error_message, resetMessage());
    assert.equal(row.was_streamed, false);
    assert.equal(row.ttft_ms, null);
  });

  it('a reset before headers reaches a raw client as the exact 502 JSON body on a cleanly ended response', { timeout: 15_000 }, async () => {
    const n = ++requests;
    resetBeforeHeaders();
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'm-reset', stream: true, messages: [] }));
    assert.equal(res.status, 502);
    assert.equal(res.endedBy, 'end');
    assert.equal(res.complete, true);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.body.toString(), JSON.stringify({ error: { message: resetMessage(), type: 'upstream_reset', code: 'bad_gateway' } }));

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 502);
    assert.equal(row.error_type, 'upstream_reset');
    assert.equal(row.was_streamed, true);
  });

  it('a reset mid-stream makes the SDK stream iteration throw after the two chunks, and is recorded as upstream_reset with status 200 and a ttft', { timeout: 15_000 }, async () => {
    const n = ++requests;
    resetMidStream();
    const stream = await client.chat.completions.create({ model: 'm-cut', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    const iteration = (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })();
    const outcome = await within(
      iteration.then(
        () => 'ended cleanly',
        (err: unknown) => err,
      ),
      5000,
      'SDK stream',
    );
    assert.ok(outcome instanceof Error, `the stream must fail, not end cleanly (got ${String(outcome)})`);
    assert.equal(text, 'Hello');

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 200);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_reset');
    assert.equal(row.error_message, resetMessage());
    assert.equal(row.was_streamed, true);
    assert.equal(row.model, 'm-cut');
    assert.equal(typeof row.ttft_ms, 'number');
    assert.ok((row.ttft_ms as number) > 0 && (row.ttft_ms as number) <= row.duration_ms, `ttft_ms ${row.ttft_ms}, duration_ms ${row.duration_ms}`);
    assert.equal(row.input_tokens, null);
    assert.equal(row.usage_source, 'none');
    assert.equal(row.finish_reason, null);
  });

  it('a reset mid-stream cuts a raw client after exactly the two chunks it was sent (no clean end)', { timeout: 15_000 }, async () => {
    const n = ++requests;
    resetMidStream();
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'm-cut', stream: true, messages: [] }));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/event-stream');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.notEqual(res.endedBy, 'end', 'the client must see the stream cut, not a clean end');
    assert.equal(res.complete, false);
    assert.equal(res.body.toString(), `data: ${HEL}\n\ndata: ${LO}\n\n`);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 200);
    assert.equal(row.error_type, 'upstream_reset');
    assert.equal(row.was_streamed, true);
    assert.equal(typeof row.ttft_ms, 'number');
  });
});
