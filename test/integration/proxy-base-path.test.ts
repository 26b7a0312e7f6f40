import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatCompletion } from '../helpers/chunks.js';
import { httpRequest } from '../helpers/raw-http.js';

/**
 * UPSTREAM_URL may carry a base path (a gateway mounted under a prefix). Client paths are appended
 * to it, except that a base already ending in `/v1` does not get a second `/v1`.
 */

describe('proxy appends client paths to the UPSTREAM_URL base path', () => {
  let upstream: FakeUpstream;
  /** UPSTREAM_URL = `${upstream}/openai` */
  let prefixed: TestService;
  /** UPSTREAM_URL = `${upstream}/api/v1` */
  let endsWithV1: TestService;
  /** UPSTREAM_URL = `${upstream}/api/v1/` (trailing slash) */
  let endsWithV1Slash: TestService;

  before(async () => {
    upstream = await startFakeUpstream((_req, res) => sendJson(res, 200, { object: 'list', data: [] }));
    prefixed = await startTestService({ upstreamUrl: `${upstream.url}/openai` });
    endsWithV1 = await startTestService({ upstreamUrl: `${upstream.url}/api/v1` });
    endsWithV1Slash = await startTestService({ upstreamUrl: `${upstream.url}/api/v1/` });
  });
  after(async () => {
    await prefixed.dispose();
    await endsWithV1.dispose();
    await endsWithV1Slash.dispose();
    await upstream.close();
  });

  /** Sends GET `target` through `service`; returns the path and query the upstream saw. */
  async function upstreamTargetFor(service: TestService, target: string): Promise<string | undefined> {
    const before = upstream.received.length;
    const res = await httpRequest(`${service.proxyUrl}${target}`);
    assert.equal(res.status, 200, `status for ${target}`);
    assert.equal(upstream.received.length, before + 1);
    return upstream.received[before]?.url;
  }

  it('prefixes the base path: /openai + /v1/models?x=1 → /openai/v1/models?x=1', async () => {
    assert.equal(await upstreamTargetFor(prefixed, '/v1/models?x=1'), '/openai/v1/models?x=1');
    assert.equal(await upstreamTargetFor(prefixed, '/v1/models'), '/openai/v1/models');
    const rows = await prefixed.rows(2);
    assert.deepEqual(
      rows.map((r) => r.endpoint),
      ['/v1/models', '/v1/models'], // the row keeps the client's path, without the query
    );
  });

  it('prefixes the base path for SDK calls: POST /v1/chat/completions → /openai/v1/chat/completions', async () => {
    upstream.handle((_req, res) => sendJson(res, 200, chatCompletion('hi', 4, 1)));
    const before = upstream.received.length;
    const client = new OpenAI({ baseURL: `${prefixed.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.choices[0]?.message.content, 'hi');
    assert.equal(upstream.received[before]?.method, 'POST');
    assert.equal(upstream.received[before]?.url, '/openai/v1/chat/completions');
    upstream.handle((_req, res) => sendJson(res, 200, { object: 'list', data: [] }));
    const rows = await prefixed.rows(3);
    assert.equal(rows[2]?.endpoint, '/v1/chat/completions');
    assert.equal(rows[2]?.input_tokens, 4);
  });

  it('does not double /v1 when the base path ends with /v1: /api/v1 + /v1/models → /api/v1/models', async () => {
    assert.equal(await upstreamTargetFor(endsWithV1, '/v1/models'), '/api/v1/models');
    assert.equal(await upstreamTargetFor(endsWithV1, '/v1/models?x=1'), '/api/v1/models?x=1');
    assert.equal(await upstreamTargetFor(endsWithV1, '/v1/chat/completions'), '/api/v1/chat/completions');
    const rows = await endsWithV1.rows(3);
    assert.deepEqual(
      rows.map((r) => r.endpoint),
      ['/v1/models', '/v1/models', '/v1/chat/completions'],
    );
  });

  it('puts other proxied prefixes beside the /v1 of the base path: /api/v1 + /api/tags → /api/api/tags', async () => {
    // The base path minus its /v1 (here /api) is kept, as a gateway's mount point would be.
    assert.equal(await upstreamTargetFor(endsWithV1, '/api/tags?x=1'), '/api/api/tags?x=1');
  });

  it('ignores a trailing slash on the base path: /api/v1/ + /v1/models?x=1 → /api/v1/models?x=1', async () => {
    assert.equal(await upstreamTargetFor(endsWithV1Slash, '/v1/models?x=1'), '/api/v1/models?x=1');
  });
});
