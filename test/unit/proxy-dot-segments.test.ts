import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { hasDotSegment } from '../../src/proxy/proxy-server.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService } from '../helpers/service.js';

describe('dot segments in request paths', () => {
  it('detects "." and ".." segments, also percent-encoded, and nothing else', () => {
    for (const p of ['/v1/../api/pull', '/v1/./models', '/v1/%2e%2e/x', '/v1/.%2E/x', '/v1/models/..', '/v1/a/../../b?x=1']) assert.equal(hasDotSegment(p), true, p);
    for (const p of ['/v1/models', '/v1/models/llama3.1:8b', '/v1/files/a..b', '/v1/x?path=../y', '/v1/.well-known']) assert.equal(hasDotSegment(p), false, p);
  });

  it('refuses such paths with 400 and never forwards them', async () => {
    const upstream = await startFakeUpstream();
    const service = await startTestService({ upstreamUrl: `${upstream.url}/openai` });
    try {
      const url = new URL(service.proxyUrl);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: '/v1/../../admin', method: 'GET' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 400);
      assert.equal(upstream.received.length, 0);
    } finally {
      await service.dispose();
      await upstream.close();
    }
  });
});
