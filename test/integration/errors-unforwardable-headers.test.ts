import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTestService, type TestService } from '../helpers/service.js';

/**
 * An upstream whose status line Node cannot write back (a DEL character in the reason phrase,
 * which the HTTP parser accepts): the client gets a 502 from the proxy and the row says why.
 */
describe('errors: upstream response headers the proxy cannot forward', () => {
  let upstream: Server;
  let service: TestService;
  const sockets = new Set<Socket>();

  before(async () => {
    upstream = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.write('HTTP/1.1 200 O\x7fK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    service = await startTestService({ upstreamUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
  });

  after(async () => {
    await service.dispose();
    for (const s of sockets) s.destroy();
    upstream.close();
  });

  it('answers 502 proxy_error at once and records the row', async () => {
    const res = await fetch(`${service.proxyUrl}/v1/models`, { signal: AbortSignal.timeout(3000) });
    assert.equal(res.status, 502);
    const body = (await res.json()) as { error: { type: string; code: string } };
    assert.equal(body.error.type, 'proxy_error');
    assert.equal(body.error.code, 'bad_gateway');
    const [row] = await service.rows(1);
    assert.equal(row!.error_type, 'proxy_error', 'row error type');
    assert.equal(row!.status_code, 502, 'row status');
  });
});
