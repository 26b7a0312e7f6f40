import { startFakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService } from '../helpers/service.js';
import { buildRawRequest, chunkedBody, rawExchange } from '../helpers/raw-http.js';
const upstream = await startFakeUpstream((req, res) => {
  res.sendDate = false;
  res.writeHead(201, 'Created Just Fine', ['X-Custom', 'A', 'Set-Cookie', 'a=1; Path=/', 'Set-Cookie', 'b=2; HttpOnly', 'Access-Control-Allow-Origin', '', 'Keep-Alive', 'timeout=5, max=100', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'secret', 'Proxy-Authenticate', 'Basic', 'Trailer', 'X-T', 'Upgrade', 'h2c', 'Content-Type', 'application/json']);
  res.end('{}');
});
const service = await startTestService({ upstreamUrl: upstream.url });
const port = Number(new URL(service.proxyUrl).port);
const r = await rawExchange(port, buildRawRequest('POST', '/v1/chat/completions', [
  ['Host', 'example'], ['X-Custom-Header', 'Value With Spaces'], ['Authorization', 'Bearer sk-X'], ['Connection', 'close, X-Drop-Me'], ['X-Drop-Me', 'x'],
  ['Keep-Alive', 'timeout=5'], ['TE', 'trailers'], ['Upgrade', 'websocket'], ['Proxy-Authorization', 'Basic abc'], ['Transfer-Encoding', 'chunked'], ['X-Latin', 'caf\u00c3\u00a9'],
], chunkedBody(['{"a":', '1}'])));
console.log(upstream.received[0]);
console.log(JSON.stringify(r.head));
console.log(r.body.toString());
await service.dispose(); await upstream.close();
