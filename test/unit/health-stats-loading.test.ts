/**
 * While the data thread loads the history, both `/health` endpoints say `"stats": "loading"` (and
 * the proxy keeps forwarding); once it is in, `"ready"`.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Agent } from 'undici';
import { createAdminApp } from '../../src/api/admin-app.js';
import { createLogger } from '../../src/logger.js';
import { createProxyServer } from '../../src/proxy/proxy-server.js';
import { resolveUpstream } from '../../src/proxy/upstream-target.js';
import type { Analytics } from '../../src/analytics/types.js';
import type { Store } from '../../src/store/types.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';

const logger = createLogger('silent');

describe('/health while the stats load', () => {
  it('the admin port says loading, then ready', async () => {
    let ready = false;
    const app = createAdminApp({ store: {} as Store, analytics: {} as Analytics, refresh: async () => {}, logger, statsReady: () => ready });
    const body = async (): Promise<unknown> => (await app.request('/health')).json();
    assert.deepEqual(await body(), { status: 'ok', service: 'llm-metrics-proxy-admin', stats: 'loading' });
    ready = true;
    assert.deepEqual(await body(), { status: 'ok', service: 'llm-metrics-proxy-admin', stats: 'ready' });
  });

  it('the proxy port says loading, then ready, and forwards requests meanwhile', async () => {
    const upstream = await startFakeUpstream();
    const dispatcher = new Agent();
    let ready = false;
    const proxy = createProxyServer({
      dispatcher,
      target: resolveUpstream(upstream.url),
      logger,
      capture: { prices: null, attribution: { keySecret: Buffer.from('s'), userHeader: 'x-user-id', tagPrefix: 'x-metrics-tag-' }, streamUsage: 'off', tokens: null },
      record: () => {},
      pathPrefixes: ['/v1/'],
      statsReady: () => ready,
    });
    proxy.server.listen(0, '127.0.0.1');
    await new Promise((resolve) => proxy.server.once('listening', resolve));
    const base = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    try {
      assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok', service: 'llm-metrics-proxy', stats: 'loading' });
      const forwarded = await fetch(`${base}/v1/models`);
      await forwarded.arrayBuffer();
      assert.equal(forwarded.status, 200);
      assert.equal(upstream.received.length, 1);
      ready = true;
      assert.deepEqual(await (await fetch(`${base}/health`)).json(), { status: 'ok', service: 'llm-metrics-proxy', stats: 'ready' });
    } finally {
      await proxy.drain(0);
      await dispatcher.close();
      await upstream.close();
    }
  });
});
