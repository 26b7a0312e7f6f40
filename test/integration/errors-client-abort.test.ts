import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest, type ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, usageChunk } from '../helpers/chunks.js';

/** The client goes away: the upstream request is aborted too, and the row says client_aborted. */

/** Chunks the upstream would send if nobody stopped it: one every 50 ms, 5 s in all. */
const FULL_CHUNKS = 100;
const CHUNK_EVERY_MS = 50;

/** How one upstream response ended. */
interface UpstreamEnd {
  /** ms from the upstream receiving the request to its response closing. */
  readonly afterMs: number;
  /** The upstream got to end its response (false: the proxy dropped the connection first). */
  readonly finished: boolean;
  readonly chunksWritten: number;
}

interface UpstreamSide {
  readonly ended: Promise<UpstreamEnd>;
}

/** Resolves with the first `data:` event of a raw response (and the request, to destroy). */
function rawStreamUntilFirstChunk(url: string, body: string): Promise<{ req: ClientRequest; status: number; first: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      const onData = (s: string): void => {
        text += s;
        const end = text.indexOf('\n\n');
        if (end !== -1) {
          res.off('data', onData);
          resolve({ req, status: res.statusCode as number, first: text.slice(0, end + 2) });
        }
      };
      res.on('data', onData);
      res.on('error', () => undefined); // the test destroys it
    });
    req.on('timeout', () => req.destroy(new Error('no first chunk within 5000 ms')));
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

describe('errors: client aborts', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let client: OpenAI;
  /** One entry per request the upstream received, in order. */
  const sides: UpstreamSide[] = [];
  let arrived: (() => void) | null = null;
  let requests = 0;

  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
    client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 10_000 });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  function track(res: ServerResponse, written: () => number): UpstreamSide {
    const started = performance.now();
    const side: UpstreamSide = {
      ended: new Promise((resolve) =>
        res.once('close', () => resolve({ afterMs: performance.now() - started, finished: res.writableFinished, chunksWritten: written() })),
      ),
    };
    sides.push(side);
    arrived?.();
    return side;
  }

  /** SSE: a content chunk every 50 ms for 5 s, then usage and [DONE] — unless the connection closes first. */
  function slowStream(): void {
    upstream.handle(async (_req, res) => {
      let written = 0;
      let closed = false;
      res.once('close', () => (closed = true));
      track(res, () => written);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      for (let i = 0; i < FULL_CHUNKS && !closed; i++) {
        res.write(`data: ${chatChunk({ content: `t${i} ` })}\n\n`);
        written++;
        await sleep(CHUNK_EVERY_MS);
      }
      if (closed) return;
      res.write(`data: ${usageChunk(3, FULL_CHUNKS)}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  }

  /** Accepts the request and never sends headers. */
  function noHeaders(): void {
    upstream.handle((_req, res) => {
      track(res, () => 0);
    });
  }

  function nextArrival(): Promise<void> {
    return new Promise((resolve) => (arrived = resolve));
  }

  async function assertUpstreamAborted(side: UpstreamSide | undefined): Promise<void> {
    assert.ok(side, 'the upstream received the request');
    const end = await within(side.ended, 3000, 'upstream response close');
    assert.equal(end.finished, false, 'the upstream must see its response cut before it finished');
    assert.ok(end.afterMs < 2000, `upstream request closed only after ${end.afterMs} ms`);
    assert.ok(end.chunksWritten < FULL_CHUNKS / 2, `upstream wrote ${end.chunksWritten} chunks`);
  }

  it('an SDK stream aborted after the first chunk aborts the upstream request and is recorded as client_aborted with a ttft', { timeout: 15_000 }, async () => {
    const n = ++requests;
    slowStream();
    const before = sides.length;
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'm-abort-sdk', stream: true, messages: [{ role: 'user', content: 'hi' }] },
      { signal: controller.signal },
    );
    let chunks = 0;
    const iteration = (async () => {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) chunks++;
        if (chunks === 1) {
          controller.abort();
          break; // one network read can hold the next event too (a loaded machine coalesces writes)
        }
      }
    })().then(
      () => 'ended',
      (err: unknown) => err,
    );
    await within(iteration, 5000, 'SDK stream after abort');
    assert.equal(chunks, 1);
    await assertUpstreamAborted(sides[before]);

    const row = await service.rowAt(n);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'client_aborted');
    assert.equal(row.error_message, 'client closed the connection');
    assert.equal(row.status_code, 200);
    assert.equal(row.was_streamed, true);
    assert.equal(row.model, 'm-abort-sdk');
    assert.equal(typeof row.ttft_ms, 'number');
    assert.ok((row.ttft_ms as number) > 0 && (row.ttft_ms as number) <= row.duration_ms, `ttft_ms ${row.ttft_ms}, duration_ms ${row.duration_ms}`);
    assert.ok(row.duration_ms < 2000, `duration_ms ${row.duration_ms}`);
    assert.equal(row.input_tokens, null);
  });

  it('a raw request destroyed after the first chunk aborts the upstream request and is recorded as client_aborted with a ttft', { timeout: 15_000 }, async () => {
    const n = ++requests;
    slowStream();
    const before = sides.length;
    const { req, status, first } = await rawStreamUntilFirstChunk(
      `${service.proxyUrl}/v1/chat/completions`,
      JSON.stringify({ model: 'm-abort-raw', stream: true, messages: [] }),
    );
    assert.equal(status, 200);
    assert.equal(first, `data: ${chatChunk({ content: 't0 ' })}\n\n`);
    req.destroy();
    await assertUpstreamAborted(sides[before]);

    const row = await service.rowAt(n);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'client_aborted');
    assert.equal(row.status_code, 200);
    assert.equal(row.was_streamed, true);
    assert.equal(row.model, 'm-abort-raw');
    assert.equal(typeof row.ttft_ms, 'number');
  });

  it('a raw client that leaves before the upstream sent headers aborts the upstream request; the row has status_code null', { timeout: 15_000 }, async () => {
    const n = ++requests;
    noHeaders();
    const before = sides.length;
    const upstreamHasIt = nextArrival();
    const body = JSON.stringify({ model: 'm-abort-early', stream: true, messages: [] });
    const req = request(`${service.proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    let gotResponse = false;
    req.on('response', () => (gotResponse = true));
    req.on('error', () => undefined); // destroyed on purpose
    req.end(body);
    await within(upstreamHasIt, 5000, 'upstream receiving the request');
    req.destroy();
    await assertUpstreamAborted(sides[before]);
    assert.equal(gotResponse, false);

    const row = await service.rowAt(n);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'client_aborted');
    assert.equal(row.error_message, 'client closed the connection');
    assert.equal(row.status_code, null);
    assert.equal(row.was_streamed, true);
    assert.equal(row.model, 'm-abort-early');
    assert.equal(row.ttft_ms, null);
    assert.equal(row.usage_source, 'none');
  });

  it('an SDK request aborted before the upstream sent headers rejects with APIUserAbortError; the row has status_code null', { timeout: 15_000 }, async () => {
    const n = ++requests;
    noHeaders();
    const before = sides.length;
    const upstreamHasIt = nextArrival();
    const controller = new AbortController();
    const pending = client.chat.completions
      .create({ model: 'm-abort-early-sdk', messages: [{ role: 'user', content: 'hi' }] }, { signal: controller.signal })
      .then(
        () => 'resolved',
        (err: unknown) => err,
      );
    await within(upstreamHasIt, 5000, 'upstream receiving the request');
    controller.abort();
    const outcome = await within(pending, 5000, 'SDK request after abort');
    assert.ok(outcome instanceof OpenAI.APIUserAbortError, `got ${String(outcome)}`);
    await assertUpstreamAborted(sides[before]);

    const row = await service.rowAt(n);
    assert.equal(row.error_type, 'client_aborted');
    assert.equal(row.is_error, true);
    assert.equal(row.status_code, null);
    assert.equal(row.was_streamed, false);
    assert.equal(row.model, 'm-abort-early-sdk');
  });

  it('each aborted request produced exactly one row', async () => {
    await service.recorder.flush();
    const recent = await service.store.recent({ filter: {}, limit: 100 });
    assert.deepEqual(
      recent.map((r) => [r.model, r.error_type]).reverse(),
      [
        ['m-abort-sdk', 'client_aborted'],
        ['m-abort-raw', 'client_aborted'],
        ['m-abort-early', 'client_aborted'],
        ['m-abort-early-sdk', 'client_aborted'],
      ],
    );
  });
});
