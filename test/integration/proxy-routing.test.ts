import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream, sendJson, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { headerValues, httpRequest } from '../helpers/raw-http.js';
import { assertHealth } from '../helpers/health.js';

/**
 * The proxy port serves `GET /health` itself and forwards only `/v1/*`; everything else (stats
 * included, which live on the admin port) is a local 404 that never reaches the upstream.
 */

describe('proxy port routes only /health and /v1/*', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream((_req, res) => sendJson(res, 200, { forwarded: true }));
    service = await startTestService({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  async function storedRows(): Promise<number> {
    await service.recorder.flush();
    return (await service.store.recent({ filter: {}, limit: 1_000_000 })).length;
  }

  it('answers GET /health on the proxy port itself with 200 {"status":"ok"} and does not contact the upstream', async () => {
    const before = upstream.received.length;
    const res = await httpRequest(`${service.proxyUrl}/health`);
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res.rawHeaders, 'content-type'), ['application/json']);
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assertHealth(body, 'llm-metrics-proxy');
    assert.equal(upstream.received.length, before);
    assert.equal(await storedRows(), 0);
  });

  for (const [method, path] of [
    ['GET', '/stats/summary'],
    ['GET', '/stats/recent?limit=5'],
    ['GET', '/'],
    ['GET', '/metrics'],
    ['GET', '/v2/x'],
    ['POST', '/v2/x'],
    ['GET', '/chat/completions'],
  ] as const) {
    it(`answers ${method} ${path} on the proxy port with a 404 OpenAI-style JSON error and does not forward it`, async () => {
      const before = upstream.received.length;
      const rowsBefore = await storedRows();
      const res = await httpRequest(`${service.proxyUrl}${path}`, method === 'POST' ? { method, headers: { 'content-type': 'application/json' }, body: '{}' } : { method });
      assert.equal(res.status, 404);
      assert.deepEqual(headerValues(res.rawHeaders, 'content-type'), ['application/json']);
      const body = JSON.parse(res.body.toString()) as { error?: { message?: unknown; type?: unknown; code?: unknown } };
      assert.equal(typeof body.error, 'object');
      assert.equal(typeof body.error?.message, 'string');
      assert.ok((body.error?.message as string).includes(path.split('?')[0] as string), `message names the path: ${String(body.error?.message)}`);
      assert.equal(body.error?.type, 'invalid_request_error');
      assert.equal(body.error?.code, 'not_found');
      assert.deepEqual(Object.keys(body), ['error']);
      assert.equal(upstream.received.length, before, `${method} ${path} reached the upstream`);
      assert.equal(await storedRows(), rowsBefore, 'a 404 of the proxy itself is not a proxied request');
    });
  }

  it('still forwards /v1/* on the same port (the 404s above are routing, not a dead upstream)', async () => {
    const before = upstream.received.length;
    const res = await httpRequest(`${service.proxyUrl}/v1/models`);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { forwarded: true });
    assert.equal(upstream.received[before]?.url, '/v1/models');
    await service.rows(1);
  });

  it('answers GET /health on the admin port with 200 {"status":"ok"}', async () => {
    const before = upstream.received.length;
    const res = await httpRequest(`${service.adminUrl}/health`);
    assert.equal(res.status, 200);
    assertHealth(JSON.parse(res.body.toString()), 'llm-metrics-proxy-admin');
    assert.equal(upstream.received.length, before);
  });
});
