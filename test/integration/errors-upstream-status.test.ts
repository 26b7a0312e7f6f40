import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import OpenAI, { APIError, BadRequestError, InternalServerError, NotFoundError } from 'openai';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** Upstream 4xx/5xx answers reach the client unchanged and are recorded as `upstream_status` errors. */

interface RawResponse {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  body: Buffer;
}

/**
 * One request on its own keep-alive connection; the response exactly as received. Keep-alive, so the
 * only connection-management headers the client sees are the proxy's own for this hop.
 */
function rawPost(url: string, body: string): Promise<RawResponse> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode as number, statusMessage: res.statusMessage as string, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no complete response from POST ${url} within 5000 ms`)));
    req.on('error', reject);
    req.end(body);
  }).finally(() => agent.destroy());
}

/** What Node's server adds for a keep-alive client: the proxy's own hop-by-hop fields. */
const PROXY_HOP: [string, string][] = [
  ['Connection', 'keep-alive'],
  ['Keep-Alive', 'timeout=5'],
];

/** Raw response headers as [name, value] pairs, in order. */
function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

const NOT_FOUND_BODY = JSON.stringify({
  error: { message: "model 'no-such-model' not found", type: 'invalid_request_error', code: 'model_not_found', param: 'model' },
});
const UNAVAILABLE_BODY = JSON.stringify({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
const CONTEXT_MESSAGE = 'the request exceeds the available context size, try increasing it';
const CONTEXT_BODY = JSON.stringify({
  error: { code: 400, message: CONTEXT_MESSAGE, type: 'exceed_context_size_error', n_prompt_tokens: 5000, n_ctx: 4096 },
});

/** Headers each fake answer is sent with, in this order and case. */
const NOT_FOUND_HEADERS: [string, string][] = [
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Content-Length', String(Buffer.byteLength(NOT_FOUND_BODY))],
  ['X-Request-Id', 'req-404'],
  ['Set-Cookie', 'a=1'],
  ['Set-Cookie', 'b=2'],
];
const UNAVAILABLE_HEADERS: [string, string][] = [
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Content-Length', String(Buffer.byteLength(UNAVAILABLE_BODY))],
  ['Retry-After', '7'],
  ['X-Request-Id', 'req-503'],
];
/** llama.cpp (cpp-httplib) closes the connection after this answer, even when asked to stream. */
const CONTEXT_HEADERS: [string, string][] = [
  ['Connection', 'close'],
  ['Content-Length', String(Buffer.byteLength(CONTEXT_BODY))],
  ['Content-Type', 'application/json; charset=utf-8'],
  ['Server', 'llama.cpp'],
];

function flat(headers: [string, string][]): string[] {
  return headers.flat();
}

describe('errors: upstream 4xx/5xx answers', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let client: OpenAI;
  /** Requests sent so far; each test's row is the newest once that many rows exist. */
  let requests = 0;

  before(async () => {
    upstream = await startFakeUpstream((_req, res, body) => {
      const model = (JSON.parse(body.toString()) as { model?: string }).model;
      res.sendDate = false;
      if (model === 'no-such-model') {
        res.writeHead(404, 'Not Found', flat(NOT_FOUND_HEADERS));
        res.end(NOT_FOUND_BODY);
      } else if (model === 'loading-model') {
        res.writeHead(503, 'Model Loading', flat(UNAVAILABLE_HEADERS)); // a non-default reason phrase
        res.end(UNAVAILABLE_BODY);
      } else if (model === 'small-ctx') {
        res.writeHead(400, 'Bad Request', flat(CONTEXT_HEADERS));
        res.end(CONTEXT_BODY);
      } else {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`unexpected model ${String(model)}`);
      }
    });
    service = await startTestService({ upstreamUrl: upstream.url });
    // No retries: each call must be exactly one request (the SDK retries 5xx by default).
    client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('a 404 reaches the SDK as NotFoundError with the upstream error, headers and request id, and is recorded as upstream_status', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const before = upstream.received.length;
    const err = await client.chat.completions
      .create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => assert.fail('expected an APIError'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof NotFoundError, `got ${String(err)}`);
    assert.equal(err.status, 404);
    assert.deepEqual(err.error, JSON.parse(NOT_FOUND_BODY).error);
    assert.equal(err.code, 'model_not_found');
    assert.equal(err.type, 'invalid_request_error');
    assert.equal(err.requestID, 'req-404');
    assert.equal(err.headers?.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(upstream.received.length, before + 1);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 404);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, "model 'no-such-model' not found");
    assert.equal(row.was_streamed, false);
    assert.equal(row.model, 'no-such-model');
    assert.equal(row.endpoint, '/v1/chat/completions');
    assert.equal(row.method, 'POST');
    assert.equal(row.input_tokens, null);
    assert.equal(row.output_tokens, null);
    assert.equal(row.usage_source, 'none');
    assert.equal(row.ttft_ms, null);
  });

  it('a 404 reaches a raw client with the same status line, headers (order, case, repeats) and body bytes', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'no-such-model', messages: [] }));
    assert.equal(res.status, 404);
    assert.equal(res.statusMessage, 'Not Found');
    assert.deepEqual(pairs(res.rawHeaders), [...NOT_FOUND_HEADERS, ...PROXY_HOP]);
    assert.deepEqual(res.body, Buffer.from(NOT_FOUND_BODY));

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 404);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, "model 'no-such-model' not found");
  });

  it('a 503 reaches the SDK as InternalServerError (status 503) without a retry, and is recorded as upstream_status', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const before = upstream.received.length;
    const err = await client.chat.completions
      .create({ model: 'loading-model', messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => assert.fail('expected an APIError'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof InternalServerError, `got ${String(err)}`);
    assert.equal(err.status, 503);
    assert.deepEqual(err.error, JSON.parse(UNAVAILABLE_BODY).error);
    assert.equal(err.headers?.get('retry-after'), '7');
    assert.equal(err.requestID, 'req-503');
    assert.equal(upstream.received.length, before + 1);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 503);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, 'Loading model');
    assert.equal(row.was_streamed, false);
    assert.equal(row.model, 'loading-model');
  });

  it('a 503 reaches a raw client with the same status line, headers and body bytes', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'loading-model' }));
    assert.equal(res.status, 503);
    assert.equal(res.statusMessage, 'Model Loading');
    assert.deepEqual(pairs(res.rawHeaders), [...UNAVAILABLE_HEADERS, ...PROXY_HOP]);
    assert.deepEqual(res.body, Buffer.from(UNAVAILABLE_BODY));

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 503);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, 'Loading model');
  });

  it("a stream request answered with llama.cpp's plain-JSON 400 (Connection: close) reaches the SDK as BadRequestError with that body", { timeout: 15_000 }, async () => {
    const n = ++requests;
    const err = await client.chat.completions
      .create({ model: 'small-ctx', stream: true, messages: [{ role: 'user', content: 'a very long prompt' }] })
      .then(
        () => assert.fail('expected an APIError'),
        (e: unknown) => e,
      );
    assert.ok(err instanceof BadRequestError, `got ${String(err)}`);
    assert.ok(err instanceof APIError);
    assert.equal(err.status, 400);
    assert.deepEqual(err.error, JSON.parse(CONTEXT_BODY).error);
    assert.equal(err.type, 'exceed_context_size_error');

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 400);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, CONTEXT_MESSAGE);
    assert.equal(row.was_streamed, true);
    assert.equal(row.model, 'small-ctx');
    assert.equal(row.ttft_ms, null);
    assert.equal(row.input_tokens, null);
    assert.equal(row.usage_source, 'none');
  });

  it("a stream request answered with llama.cpp's 400 reaches a raw client as 400 with the exact body; the hop-by-hop Connection: close stays with the upstream", { timeout: 15_000 }, async () => {
    const n = ++requests;
    const res = await rawPost(`${service.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'small-ctx', stream: true, messages: [] }));
    assert.equal(res.status, 400);
    assert.equal(res.statusMessage, 'Bad Request');
    assert.deepEqual(res.body, Buffer.from(CONTEXT_BODY));
    // The upstream's `Connection: close` is about the proxy↔upstream hop: the client keeps its connection.
    assert.deepEqual(pairs(res.rawHeaders), [...CONTEXT_HEADERS.filter(([name]) => name !== 'Connection'), ...PROXY_HOP]);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 400);
    assert.equal(row.error_type, 'upstream_status');
    assert.equal(row.error_message, CONTEXT_MESSAGE);
    assert.equal(row.was_streamed, true);
  });

  it('every error answer above produced exactly one row', async () => {
    await service.recorder.flush();
    const recent = await service.store.recent({ filter: {}, limit: 100 });
    assert.deepEqual(
      recent.map((r) => [r.model, r.status_code, r.was_streamed]).reverse(),
      [
        ['no-such-model', 404, false],
        ['no-such-model', 404, false],
        ['loading-model', 503, false],
        ['loading-model', 503, false],
        ['small-ctx', 400, true],
        ['small-ctx', 400, true],
      ],
    );
    assert.equal(upstream.received.length, 6);
  });
});
