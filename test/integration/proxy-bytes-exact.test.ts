import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { buildRawRequest, headerValues, httpRequest, rawExchange } from '../helpers/raw-http.js';
import type { StoredRequest } from '../../src/domain/request-record.js';

/**
 * The proxy is transparent for payloads: request bodies, response bodies, request targets (query
 * strings) and methods reach the other side exactly as sent.
 */

const sha256 = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');

describe('proxy forwards bodies, query strings and methods byte for byte', () => {
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

  /** The `n` rows stored after `count`, oldest first. */
  async function rowsAfter(count: number, n: number): Promise<StoredRequest[]> {
    const rows = await service.rows(count + n);
    return rows.slice(count);
  }

  it('forwards a non-JSON binary request body to the upstream byte for byte', async () => {
    // Every byte value (NUL, CR, LF, invalid UTF-8 lead bytes…) followed by random bytes.
    const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0xff, 0x0d, 0x0a, 0x00]), randomBytes(4096)]);
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    const before = upstream.received.length;
    const count = await service.rowCount();
    const res = await httpRequest(`${service.proxyUrl}/v1/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal(upstream.received.length, before + 1);
    const got = upstream.received[before];
    assert.ok(got);
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/v1/files');
    assert.equal(got.body.length, body.length);
    assert.ok(got.body.equals(body), 'binary body changed on the way to the upstream');
    const [row] = await rowsAfter(count, 1);
    assert.equal(row?.endpoint, '/v1/files');
    assert.equal(row?.model, null); // not JSON: nothing to read, and nothing broke
    assert.equal(row?.status_code, 200);
    assert.equal(row?.is_error, false);
  });

  it('forwards a JSON body with odd whitespace, key order and unicode escapes byte for byte (and still reads its model)', async () => {
    // Whitespace everywhere JSON allows it (space, tab, CR, LF), `model` last, \uXXXX escapes
    // including a surrogate pair, escaped quotes/backslashes, and raw multi-byte UTF-8.
    const text = String.raw`
	{ "stream"	:false ,"messages" : [ { "content" : "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ ünïcødé 😀" , "role":"user" } ],` +
      '\r\n  ' +
      String.raw`"temperature":  0.50E+0 , "model"  :  "m\u00e9-1"	}` +
      '  \n';
    const body = Buffer.from(text, 'utf8');
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    const before = upstream.received.length;
    const count = await service.rowCount();
    const res = await httpRequest(`${service.proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length },
      body,
    });
    assert.equal(res.status, 200);
    const got = upstream.received[before];
    assert.ok(got);
    assert.equal(got.body.toString('latin1'), body.toString('latin1'));
    assert.ok(got.body.equals(body));
    const [row] = await rowsAfter(count, 1);
    assert.equal(row?.model, 'mé-1');
    assert.equal(row?.was_streamed, false);
  });

  it('forwards a 3 MB request body and a 3 MB response body byte for byte', async () => {
    const requestBody = randomBytes(3 * 1024 * 1024);
    const responseBody = randomBytes(3 * 1024 * 1024 + 17);
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': responseBody.length });
      res.end(responseBody);
    });
    const before = upstream.received.length;
    const count = await service.rowCount();
    const res = await httpRequest(`${service.proxyUrl}/v1/uploads/big`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': requestBody.length },
      body: requestBody,
    });
    const got = upstream.received[before];
    assert.ok(got);
    assert.equal(got.body.length, requestBody.length);
    assert.equal(sha256(got.body), sha256(requestBody));
    assert.deepEqual(headerValues(got.rawHeaders, 'content-length'), [String(requestBody.length)]);
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res.rawHeaders, 'content-length'), [String(responseBody.length)]);
    assert.equal(res.body.length, responseBody.length);
    assert.equal(sha256(res.body), sha256(responseBody));
    await rowsAfter(count, 1);
  });

  it('forwards a chunked binary response written in uneven pieces byte for byte', async () => {
    const pieces = [Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('\r\n0\r\n\r\n', 'latin1'), Buffer.from([0xe2, 0x82]), Buffer.from([0xac]), randomBytes(70_000), Buffer.from('data: [DONE]\n\n')];
    const expected = Buffer.concat(pieces);
    upstream.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no length: chunked
      for (const p of pieces) {
        res.write(p);
        await sleep(5);
      }
      res.end();
    });
    const count = await service.rowCount();
    const res = await httpRequest(`${service.proxyUrl}/v1/files/abc/content`);
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(res.rawHeaders, 'transfer-encoding'), ['chunked']);
    assert.equal(res.body.length, expected.length);
    assert.ok(res.body.equals(expected), 'chunked response body changed on the way to the client');
    await rowsAfter(count, 1);
  });

  it('forwards query strings exactly: encoded characters, repeated keys, empty values', async () => {
    upstream.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
    const targets = [
      '/v1/models?a=1&a=2&a=3',
      '/v1/models?empty=&also_empty=&=novalue&flag&&',
      '/v1/models?q=%20%2F%3F%26%3D%25%2B&u=%E2%9C%93%F0%9F%98%80&plus=a+b&lower=%c3%a9',
      "/v1/models?path=/a/b?c=d&sub:colon=@x!$'()*,;~",
      '/v1/models?',
      '/v1/models?%zz=bad%encoding&%=%',
      '/v1/models?list[]=1&list[]=2',
    ];
    const count = await service.rowCount();
    for (const target of targets) {
      const before = upstream.received.length;
      const res = await rawExchange(proxyPort, buildRawRequest('GET', target, [['Host', 'proxy.test'], ['Connection', 'close']]));
      assert.equal(res.status, 200, `status for ${target}`);
      assert.equal(upstream.received[before]?.url, target);
    }
    const rows = await rowsAfter(count, targets.length);
    assert.deepEqual(
      rows.map((r) => r.endpoint),
      targets.map(() => '/v1/models'),
    );
  });

  it('forwards every method under /v1/ (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)', async () => {
    upstream.handle((req, res) => {
      const body = `method:${req.method}`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), 'x-seen-method': req.method ?? '' });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
    const withBody = new Set<string>(['POST', 'PUT', 'PATCH']);
    const count = await service.rowCount();
    for (const method of methods) {
      const before = upstream.received.length;
      const requestBody = withBody.has(method) ? `{"m":"${method}"}` : undefined;
      const res = await httpRequest(`${service.proxyUrl}/v1/resources/42?m=${method}`, {
        method,
        headers: requestBody === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(requestBody) },
        body: requestBody,
      });
      const got = upstream.received[before];
      assert.ok(got, `${method} did not reach the upstream`);
      assert.equal(got.method, method);
      assert.equal(got.url, `/v1/resources/42?m=${method}`);
      assert.equal(got.body.toString(), requestBody ?? '');
      assert.equal(res.status, 200, method);
      assert.deepEqual(headerValues(res.rawHeaders, 'x-seen-method'), [method]);
      assert.deepEqual(headerValues(res.rawHeaders, 'content-length'), [String(Buffer.byteLength(`method:${method}`))]);
      assert.equal(res.body.toString(), method === 'HEAD' ? '' : `method:${method}`);
    }
    const rows = await rowsAfter(count, methods.length);
    assert.deepEqual(
      rows.map((r) => [r.method, r.endpoint, r.status_code]),
      methods.map((m) => [m, '/v1/resources/42', 200]),
    );
  });
});
