import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import OpenAI, { InternalServerError } from 'openai';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatCompletion } from '../helpers/chunks.js';
import { sendJson } from '../helpers/fake-upstream.js';
import { assertHealth } from '../helpers/health.js';

/** An upstream that refuses connections: 502 upstream_unreachable, the service stays up and recovers. */

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function rawRequest(url: string, method: string, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, agent: false, headers, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode as number, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no complete response from ${method} ${url} within 5000 ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A port that was just listening on 127.0.0.1 and is now closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An upstream on a given port (the fake-upstream helper always picks its own). */
async function upstreamOn(port: number, received: string[]): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString());
      sendJson(res, 200, chatCompletion('back', 4, 2, 'm-up'));
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('errors: upstream unreachable', () => {
  let port: number;
  let service: TestService;
  let upstream: Server | null = null;
  const received: string[] = [];
  let client: OpenAI;
  let expectedMessage: string;
  /** Requests sent so far; each test's row is the newest once that many rows exist. */
  let requests = 0;

  before(async () => {
    port = await closedPort();
    service = await startTestService({ upstreamUrl: `http://127.0.0.1:${port}` });
    client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
    expectedMessage = `Upstream http://127.0.0.1:${port} is unreachable: connect ECONNREFUSED 127.0.0.1:${port} (ECONNREFUSED)`;
  });

  after(async () => {
    await service.dispose();
    if (upstream !== null) {
      const server = upstream;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('the SDK gets a 502 APIError with type upstream_unreachable and code bad_gateway; the row says so', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const err = await client.chat.completions.create({ model: 'm-down', messages: [{ role: 'user', content: 'hi' }] }).then(
      () => assert.fail('expected an APIError'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof InternalServerError, `got ${String(err)}`);
    assert.equal(err.status, 502);
    assert.deepEqual(err.error, { message: expectedMessage, type: 'upstream_unreachable', code: 'bad_gateway' });

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 502);
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'upstream_unreachable');
    assert.equal(row.error_message, expectedMessage);
    assert.equal(row.model, 'm-down');
    assert.equal(row.was_streamed, false);
    assert.equal(row.ttft_ms, null);
    assert.equal(row.usage_source, 'none');
  });

  it('a raw client gets exactly the JSON error body with Content-Type and Content-Length', { timeout: 15_000 }, async () => {
    const n = ++requests;
    const res = await rawRequest(`${service.proxyUrl}/v1/chat/completions`, 'POST', JSON.stringify({ model: 'm-down', stream: true, messages: [] }));
    const expected = JSON.stringify({ error: { message: expectedMessage, type: 'upstream_unreachable', code: 'bad_gateway' } });
    assert.equal(res.status, 502);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(expected)));
    assert.equal(res.body.toString('utf8'), expected);

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 502);
    assert.equal(row.error_type, 'upstream_unreachable');
    assert.equal(row.was_streamed, true);
  });

  it('GET /health answers 200 on the proxy port and on the admin port while the upstream is down', { timeout: 15_000 }, async () => {
    const proxyHealth = await rawRequest(`${service.proxyUrl}/health`, 'GET');
    assert.equal(proxyHealth.status, 200);
    assertHealth(JSON.parse(proxyHealth.body.toString()), 'llm-metrics-proxy');
    const adminHealth = await rawRequest(`${service.adminUrl}/health`, 'GET');
    assert.equal(adminHealth.status, 200);
    assertHealth(JSON.parse(adminHealth.body.toString()), 'llm-metrics-proxy-admin');
  });

  it('once an upstream listens on that port, the same service forwards requests normally', { timeout: 15_000 }, async () => {
    const n = ++requests;
    upstream = await upstreamOn(port, received);
    const r = await client.chat.completions.create({ model: 'm-up', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]?.message.content, 'back');
    assert.deepEqual(r.usage, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });

    const row = await service.rowAt(n);
    assert.equal(row.status_code, 200);
    assert.equal(row.is_error, false);
    assert.equal(row.error_type, null);
    assert.equal(row.error_message, null);
    assert.equal(row.model, 'm-up');
    assert.equal(row.input_tokens, 4);
    assert.equal(row.output_tokens, 2);
    assert.equal(received.length, 1);
  });

  it('the stats count the two failures and the success', { timeout: 15_000 }, async () => {
    const res = await rawRequest(`${service.adminUrl}/stats/summary`, 'GET');
    assert.equal(res.status, 200);
    const summary = JSON.parse(res.body.toString()) as { total_requests: number; successful_requests: number; failed_requests: number };
    assert.equal(summary.total_requests, 3);
    assert.equal(summary.successful_requests, 1);
    assert.equal(summary.failed_requests, 2);
  });
});
