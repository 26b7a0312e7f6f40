import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { buildRawRequest, chunkedBody, headerPairs, rawExchange, type RawHeaderList } from '../helpers/raw-http.js';

/**
 * Header transparency in both directions, checked on raw sockets: end-to-end fields pass with their
 * exact case, order, repeats and (empty) values; hop-by-hop fields stop at the proxy.
 */

describe('proxy forwards end-to-end headers and drops hop-by-hop ones', () => {
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

  /**
   * Makes the upstream answer with exactly these raw headers (no Date unless listed) and body. The
   * body goes as a Buffer: Node writes the head as latin1 then (a string body would make it send
   * the head UTF-8 encoded, changing non-ASCII header octets before they even reach the proxy).
   */
  function upstreamAnswers(status: number, reason: string, headers: RawHeaderList, body: string): void {
    upstream.handle((_req, res) => {
      res.sendDate = false;
      res.writeHead(status, reason, headers.flat());
      res.end(Buffer.from(body));
    });
  }

  /** A POST on a raw socket with `Connection: close` (so the proxy adds only that hop field) plus `headers`. */
  function post(headers: RawHeaderList, body = '{}'): ReturnType<typeof rawExchange> {
    return rawExchange(
      proxyPort,
      buildRawRequest('POST', '/v1/chat/completions', [['Host', 'proxy.test'], ['Connection', 'close'], ['Content-Type', 'application/json'], ['Content-Length', String(Buffer.byteLength(body))], ...headers], body),
    );
  }

  it('passes custom request headers and Authorization unchanged, drops hop-by-hop request headers, and sends the upstream host:port as Host', async () => {
    upstreamAnswers(200, 'OK', [['Content-Length', '2']], '{}');
    const body = '{"model":"m","messages":[]}';
    const before = upstream.received.length;
    const res = await rawExchange(
      proxyPort,
      buildRawRequest(
        'POST',
        '/v1/chat/completions',
        [
          ['Host', 'proxy.example:8080'],
          ['X-Custom-Header', 'Value With  Spaces'],
          ['x-lower-case', 'lower'],
          ['X-MiXeD-CaSe', 'MiXeD'],
          ['Authorization', 'Bearer sk-Test-AbC123'],
          ['Connection', 'close, X-Drop-Me'],
          ['X-Drop-Me', 'named in Connection'],
          ['Keep-Alive', 'timeout=5, max=100'],
          ['TE', 'trailers'],
          ['Upgrade', 'websocket'],
          ['Proxy-Authorization', 'Basic cHJveHk6c2VjcmV0'],
          ['Proxy-Connection', 'keep-alive'],
          ['X-Multi', 'one'],
          ['X-Multi', 'two'],
          ['X-Empty', ''],
          ['X-Latin', 'caf\u00c3\u00a9'], // the UTF-8 bytes of "café", sent as raw octets
          ['Content-Type', 'application/json'],
          ['Transfer-Encoding', 'chunked'],
        ],
        chunkedBody(['{"model":"m",', '"messages":[]}']),
      ),
    );
    assert.equal(res.status, 200);
    const got = upstream.received[before];
    assert.ok(got);
    assert.equal(got.body.toString(), body);
    // Exactly what the upstream saw: the client's end-to-end fields in order and case, framed anew
    // by the proxy's HTTP client (its own Host, Connection for its hop, and a Content-Length for the
    // de-chunked body). Nothing hop-by-hop from the client survives.
    assert.deepEqual(headerPairs(got.rawHeaders), [
      ['host', `127.0.0.1:${upstream.port}`],
      ['connection', 'keep-alive'],
      ['X-Custom-Header', 'Value With  Spaces'],
      ['x-lower-case', 'lower'],
      ['X-MiXeD-CaSe', 'MiXeD'],
      ['Authorization', 'Bearer sk-Test-AbC123'],
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
      ['X-Empty', ''],
      ['X-Latin', 'caf\u00c3\u00a9'],
      ['Content-Type', 'application/json'],
      ['content-length', String(Buffer.byteLength(body))],
    ]);
  });

  it('forwards the status code, a custom reason phrase, custom headers, repeated Set-Cookie and an empty header value byte for byte', async () => {
    upstreamAnswers(
      201,
      'Created Just Fine',
      [
        ['Server', 'llama.cpp'],
        ['Access-Control-Allow-Origin', ''],
        ['X-Accel-Buffering', 'no'],
        ['Set-Cookie', 'a=1; Path=/'],
        ['Set-Cookie', 'b=2; HttpOnly'],
        ['x-request-ID', 'req-42'],
        ['X-Latin', 'caf\u00c3\u00a9'],
        ['Content-Type', 'application/json'],
        ['Content-Length', '2'],
      ],
      '{}',
    );
    const res = await post([]);
    assert.equal(res.status, 201);
    assert.equal(res.reason, 'Created Just Fine');
    // The empty value as llama.cpp sends it: name, colon, one space, CRLF.
    assert.ok(res.raw.includes('\r\nAccess-Control-Allow-Origin: \r\n', 0, 'latin1'), `empty header value lost: ${JSON.stringify(res.head)}`);
    assert.ok(res.raw.includes(Buffer.from([...Buffer.from('\r\nX-Latin: caf', 'latin1'), 0xc3, 0xa9, 0x0d, 0x0a])), 'non-ASCII header octets changed');
    assert.equal(
      res.head,
      [
        'HTTP/1.1 201 Created Just Fine',
        'Server: llama.cpp',
        'Access-Control-Allow-Origin: ',
        'X-Accel-Buffering: no',
        'Set-Cookie: a=1; Path=/',
        'Set-Cookie: b=2; HttpOnly',
        'x-request-ID: req-42',
        'X-Latin: caf\u00c3\u00a9',
        'Content-Type: application/json',
        'Content-Length: 2',
        'Connection: close', // the proxy's own, for this hop (the client asked to close)
      ].join('\r\n'),
    );
    assert.equal(res.body.toString(), '{}');
  });

  it('adds no Date header when the upstream sends none, and passes the upstream Date through unchanged', async () => {
    upstreamAnswers(200, 'OK', [['Content-Type', 'application/json'], ['Content-Length', '2']], '{}');
    const without = await post([]);
    assert.equal(without.status, 200);
    assert.deepEqual(
      headerPairs(without.rawHeaders).filter(([name]) => name.toLowerCase() === 'date'),
      [],
    );
    assert.equal(without.head, ['HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Length: 2', 'Connection: close'].join('\r\n'));

    upstreamAnswers(200, 'OK', [['Date', 'Mon, 01 Jan 2001 00:00:00 GMT'], ['Content-Length', '2']], '{}');
    const withDate = await post([]);
    assert.deepEqual(
      headerPairs(withDate.rawHeaders).filter(([name]) => name.toLowerCase() === 'date'),
      [['Date', 'Mon, 01 Jan 2001 00:00:00 GMT']],
    );
  });

  it('removes hop-by-hop response headers (Connection and the fields it names, Keep-Alive, Proxy-Authenticate, Trailer, Upgrade, Transfer-Encoding)', async () => {
    upstream.handle((_req, res) => {
      res.sendDate = false;
      // No Content-Length: the upstream's own `Transfer-Encoding: chunked` is added by Node.
      res.writeHead(200, 'OK', [
        'Content-Type', 'text/plain',
        'Connection', 'keep-alive, X-Hop-Secret',
        'X-Hop-Secret', 'must not leave the hop',
        'Keep-Alive', 'timeout=5, max=100',
        'Proxy-Authenticate', 'Basic realm="upstream"',
        'Proxy-Connection', 'keep-alive',
        'Trailer', 'X-Checksum',
        'Upgrade', 'h2c',
        'X-End-To-End', 'kept',
      ]);
      res.write(Buffer.from('hello '));
      res.end(Buffer.from('world'));
    });
    const res = await post([]);
    assert.equal(res.status, 200);
    // Only end-to-end fields, then the proxy's own framing and connection fields for this hop.
    assert.equal(
      res.head,
      ['HTTP/1.1 200 OK', 'Content-Type: text/plain', 'X-End-To-End: kept', 'Connection: close', 'Transfer-Encoding: chunked'].join('\r\n'),
    );
    assert.equal(res.body.toString(), 'hello world');
  });
  it("forwards llama.cpp's stream response headers (empty Access-Control-Allow-Origin) byte for byte", async () => {
    // The head of a llama.cpp stream (fixtures/llama-cpp/stream-headers.txt): no Content-Length, so
    // the proxy flushes the head at once rather than waiting for the first body bytes.
    upstream.handle(async (_req, res) => {
      res.sendDate = false;
      res.writeHead(200, 'OK', ['Server', 'llama.cpp', 'Access-Control-Allow-Origin', '', 'X-Accel-Buffering', 'no', 'Content-Type', 'text/event-stream', 'Keep-Alive', 'timeout=5, max=100']);
      res.write(Buffer.from('data: {}\n\n'));
      res.end(Buffer.from('data: [DONE]\n\n'));
    });
    const res = await post([]);
    assert.equal(
      res.head,
      ['HTTP/1.1 200 OK', 'Server: llama.cpp', 'Access-Control-Allow-Origin: ', 'X-Accel-Buffering: no', 'Content-Type: text/event-stream', 'Connection: close', 'Transfer-Encoding: chunked'].join('\r\n'),
    );
    assert.ok(res.raw.includes('\r\nAccess-Control-Allow-Origin: \r\n', 0, 'latin1'));
    assert.equal(res.body.toString(), 'data: {}\n\ndata: [DONE]\n\n');
  });

  it('forwards non-ASCII header octets unchanged on a streamed (no Content-Length) response', async () => {
    // Header values are octets (RFC 9110 obs-text); UTF-8 "é" sent raw must arrive as the same two
    // bytes C3 A9, as it does for Content-Length responses above.
    upstream.handle((_req, res) => {
      res.sendDate = false;
      res.writeHead(200, 'OK', ['Content-Type', 'text/event-stream', 'X-Latin', 'caf\u00c3\u00a9']);
      res.end(Buffer.from('data: [DONE]\n\n'));
    });
    const res = await post([]);
    assert.equal(res.status, 200);
    const expectedLine = Buffer.from([...Buffer.from('\r\nX-Latin: caf', 'latin1'), 0xc3, 0xa9, 0x0d, 0x0a]);
    assert.ok(res.raw.includes(expectedLine), `header octets changed: ${JSON.stringify(res.head)}`);
    assert.equal(res.head, ['HTTP/1.1 200 OK', 'Content-Type: text/event-stream', 'X-Latin: caf\u00c3\u00a9', 'Connection: close', 'Transfer-Encoding: chunked'].join('\r\n'));
  });
  it('forwards a non-ASCII reason phrase byte for byte', async () => {
    // RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ). The UTF-8 bytes of "Créé"
    // (C3 A9 C3 A9), sent raw, must reach the client as the same bytes.
    upstreamAnswers(201, 'Cr\u00c3\u00a9\u00c3\u00a9', [['Content-Length', '2']], '{}');
    const res = await post([]);
    assert.equal(res.status, 201);
    const expectedLine = Buffer.from([...Buffer.from('HTTP/1.1 201 Cr', 'latin1'), 0xc3, 0xa9, 0xc3, 0xa9, 0x0d, 0x0a]);
    assert.ok(res.raw.subarray(0, expectedLine.length).equals(expectedLine), `status line changed: ${JSON.stringify(res.head.split('\r\n')[0])}`);
  });
});
