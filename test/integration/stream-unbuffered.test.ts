import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, usageChunk } from '../helpers/chunks.js';
import { llamaCppFixture } from '../helpers/fixtures.js';
import { buildRawRequest, deferred, rawExchange } from '../helpers/raw-http.js';

/**
 * Streams are not buffered: the upstream is made to wait on promises that only the client can
 * resolve (by having seen the headers / the first chunk), so a proxy that held anything back would
 * deadlock and the watchdog would fail the test.
 */

const sse = (data: string): string => `data: ${data}\n\n`;
const CHAT_BODY = JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
/** How long the client waits for something a buffering proxy would hold back. */
const WATCHDOG_MS = 3000;

/** Rejects with `message` if `promise` has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('proxy streams responses without buffering', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let proxyPort: number;

  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
    proxyPort = Number(new URL(service.proxyUrl).port);
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });


  /** POSTs a chat stream with node:http; `onResponse` sees the response as soon as its head arrives. */
  function postStream(onResponse: (res: IncomingMessage) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${service.proxyUrl}/v1/chat/completions`,
        { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(CHAT_BODY) } },
        (res) => {
          onResponse(res);
          res.once('end', resolve);
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(CHAT_BODY);
    });
  }

  it('flushes the response headers to the client before the upstream sends any body byte', { timeout: 15_000 }, async () => {
    const clientSawHeaders = deferred();
    let upstreamWroteBody = false;
    upstream.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      await clientSawHeaders.promise; // no body byte until the client has the head
      upstreamWroteBody = true;
      res.write(sse(chatChunk({ content: 'x' })));
      res.end(sse('[DONE]'));
    });
    const count = await service.rowCount();
    let bodyWrittenWhenHeadArrived: boolean | null = null;
    let status: number | undefined;
    const done = postStream((res) => {
      bodyWrittenWhenHeadArrived = upstreamWroteBody;
      status = res.statusCode;
      clientSawHeaders.resolve();
      res.resume();
    });
    try {
      await within(clientSawHeaders.promise, WATCHDOG_MS, 'the client did not get the response head while the upstream held its body: the proxy held the headers back');
    } finally {
      clientSawHeaders.resolve(); // let the upstream finish either way
    }
    await done;
    assert.equal(status, 200);
    assert.equal(bodyWrittenWhenHeadArrived, false);
    await service.rowAfter(count);
  });

  it('delivers the first SSE chunk to the client while the upstream still holds the stream open', { timeout: 15_000 }, async () => {
    const first = Buffer.from(sse(chatChunk({ role: 'assistant', content: 'Hel' })));
    const rest = [sse(chatChunk({ content: 'lo' })), sse(chatChunk({}, 'stop')), sse(usageChunk(7, 2)), sse('[DONE]')].map((s) => Buffer.from(s));
    const clientSawFirst = deferred();
    let upstreamState: 'head' | 'holding' | 'released' = 'head';
    upstream.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(first);
      upstreamState = 'holding';
      await clientSawFirst.promise; // the stream stays open until the client has the first chunk
      upstreamState = 'released';
      for (const piece of rest) res.write(piece);
      res.end();
    });
    const count = await service.rowCount();
    const received: Buffer[] = [];
    let atFirstSight: { bytes: Buffer; upstreamState: string } | null = null;
    const done = postStream((res) => {
      res.on('data', (c: Buffer) => {
        received.push(c);
        const soFar = Buffer.concat(received);
        if (atFirstSight === null && soFar.length >= first.length) {
          atFirstSight = { bytes: soFar, upstreamState };
          clientSawFirst.resolve();
        }
      });
    });
    try {
      await within(clientSawFirst.promise, WATCHDOG_MS, 'the first chunk did not reach the client while the upstream held the stream open: the proxy buffers');
    } finally {
      clientSawFirst.resolve();
    }
    await done;
    assert.deepEqual(atFirstSight, { bytes: first, upstreamState: 'holding' });
    assert.equal(Buffer.concat(received).toString('latin1'), Buffer.concat([first, ...rest]).toString('latin1'));
    const row = await service.rowAfter(count);
    assert.equal(row.was_streamed, true);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [7, 2, 9]);
    assert.equal(row.finish_reason, 'stop');
  });

  it('delivers the stream bytes exactly as the upstream sent them, including data: [DONE]', async () => {
    // llama.cpp's recorded stream, sent in the writes llama.cpp makes (role + first token together,
    // last token + finish + usage + [DONE] together), with pauses between them.
    const fixture = llamaCppFixture('resp-stream-usage.txt');
    const events = fixture.toString('latin1').split(/(?<=\n\n)/);
    assert.equal(events.length, 9);
    const writes = [events.slice(0, 2), events.slice(2, 3), events.slice(3, 4), events.slice(4, 5), events.slice(5)].map((e) => Buffer.from(e.join(''), 'latin1'));
    assert.ok(Buffer.concat(writes).equals(fixture));
    upstream.handle(async (_req, res) => {
      res.sendDate = false;
      res.writeHead(200, 'OK', ['Server', 'llama.cpp', 'Access-Control-Allow-Origin', '', 'X-Accel-Buffering', 'no', 'Content-Type', 'text/event-stream', 'Keep-Alive', 'timeout=5, max=100']);
      for (const w of writes) {
        res.write(w);
        await sleep(20);
      }
      res.end();
    });
    const count = await service.rowCount();
    const res = await rawExchange(
      proxyPort,
      buildRawRequest('POST', '/v1/chat/completions', [['Host', 'proxy.test'], ['Connection', 'close'], ['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(CHAT_BODY))]], CHAT_BODY),
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.toString('latin1'), fixture.toString('latin1'));
    assert.ok(res.body.equals(fixture));
    assert.ok(res.body.toString('latin1').endsWith('\n\ndata: [DONE]\n\n'));
    const row = await service.rowAfter(count);
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [26, 5, 31]);
  });
});
