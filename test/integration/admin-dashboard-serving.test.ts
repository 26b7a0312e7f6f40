/**
 * The dashboard on the admin port: its built files at `/` (API routes keep priority, unknown
 * paths keep their JSON 404), a clear page when it is not built, and `GET /api/info` — both on
 * the app alone and through the real service's admin thread.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Analytics } from '../../src/analytics/types.js';
import { createAdminApp } from '../../src/api/admin-app.js';
import type { Store } from '../../src/store/types.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';

const INDEX = '<!doctype html><html><body><div id="root"></div><script type="module" src="./assets/index-abc123.js"></script></body></html>';
const SCRIPT = 'console.log("dashboard");';

function app(dashboardDir: string) {
  return createAdminApp({
    store: {} as Store, // the routes under test never read it
    analytics: {} as Analytics,
    refresh: async () => undefined,
    logger: pino({ level: 'silent' }),
    dashboardDir,
    info: () => ({ proxy_url: 'http://127.0.0.1:8080', version: '9.9.9' }),
  });
}

describe('dashboard files on the admin app', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lmp-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('GET / and /index.html: the page, never cached stale, with a strict content security policy', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await app(dir).request(path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(await res.text(), INDEX);
    }
  });

  it('hashed assets are cached for good; other files revalidate', async () => {
    const script = await app(dir).request('/assets/index-abc123.js');
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await script.text(), SCRIPT);
    const icon = await app(dir).request('/favicon.svg');
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
  });

  it('scripts go out Brotli- or gzip-compressed when the build has the copies and the browser takes them', async () => {
    writeFileSync(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(dir, 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT));
    const site = app(dir);
    const get = (encoding?: string) =>
      site.request('/assets/index-abc123.js', encoding === undefined ? {} : { headers: { 'accept-encoding': encoding } });
    for (const [accept, expected] of [
      ['gzip, deflate, br, zstd', 'br'], ['gzip', 'gzip'], ['br;q=0, gzip;q=0.8', 'gzip'], ['identity', null], [undefined, null],
      ['BR;Q=0.1, GZIP;q=1', 'gzip'], ['*', 'br'], ['*;q=0.5, br;q=0', 'gzip'], ['gzip;q=oops', null],
    ] as const) {
      const res = await get(accept);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-encoding'), expected, String(accept));
      assert.equal(res.headers.get('vary'), 'Accept-Encoding');
      assert.match(res.headers.get('content-type') ?? '', /javascript/);
      const bytes = Buffer.from(await res.arrayBuffer());
      const body = expected === 'br' ? brotliDecompressSync(bytes) : expected === 'gzip' ? gunzipSync(bytes) : bytes;
      assert.equal(body.toString(), SCRIPT, String(accept));
    }
  });

  it('a rebuild while running is picked up: on the next page load, or when a new file is asked for', async () => {
    const site = app(dir);
    assert.equal((await site.request('/assets/index-def456.js')).status, 404);
    writeFileSync(join(dir, 'assets', 'index-def456.js'), 'console.log(2);');
    writeFileSync(join(dir, 'index.html'), INDEX.replace('abc123', 'def456'));
    try {
      assert.equal(await (await site.request('/assets/index-def456.js')).text(), 'console.log(2);');
      assert.ok((await (await site.request('/')).text()).includes('def456'));
      // The compressed copies come last in a build: the next page load finds them.
      writeFileSync(join(dir, 'assets', 'index-def456.js.br'), brotliCompressSync('console.log(2);'));
      const br = { headers: { 'accept-encoding': 'br' } };
      assert.equal((await site.request('/assets/index-def456.js', br)).headers.get('content-encoding'), null, 'a hit reads no disk');
      await site.request('/');
      assert.equal((await site.request('/assets/index-def456.js', br)).headers.get('content-encoding'), 'br');
    } finally {
      writeFileSync(join(dir, 'index.html'), INDEX);
    }
  });

  it('API routes keep priority and unknown paths keep the JSON 404', async () => {
    const health = await app(dir).request('/health');
    assert.deepEqual(await health.json(), { status: 'ok', service: 'llm-metrics-proxy-admin' });
    for (const path of ['/stats/nope', '/nope', '/assets/missing.js', '/assets/%2e%2e/%2e%2e/package.json', '/index.htm']) {
      const res = await app(dir).request(path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.code, 'not_found', path);
    }
    const post = await app(dir).request('/', { method: 'POST' });
    assert.equal(post.status, 404);
    assert.equal((await post.json()).error.code, 'not_found');
  });

  it('GET /api/info answers what the info callback gives', async () => {
    const res = await app(dir).request('/api/info');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { proxy_url: 'http://127.0.0.1:8080', version: '9.9.9' });
  });

  it('without a build, / says how to make one (503) and the API still works', async () => {
    const missing = join(dir, 'not-built');
    const res = await app(missing).request('/');
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    const text = await res.text();
    assert.ok(text.includes('The dashboard is not built'), text);
    assert.ok(text.includes('npm run build:web'), text);
    assert.equal((await app(missing).request('/assets/index-abc123.js')).status, 404);
    assert.equal((await app(missing).request('/health')).status, 200);
  });
});

describe('dashboard and /api/info through the running service', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('/api/info gives the bound proxy URL and the package version', async () => {
    const res = await fetch(`${service.adminUrl}/api/info`);
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.deepEqual(await res.json(), { proxy_url: service.proxyUrl, version: pkg.version });
  });

  it('/ serves the built dashboard (npm test builds it first), with relative asset URLs', async () => {
    const res = await fetch(`${service.adminUrl}/`);
    assert.equal(res.status, 200, 'run npm run build:web');
    const html = await res.text();
    assert.ok(html.includes('<div id="root"></div>'));
    const script = /src="(\.\/assets\/[^"]+\.js)"/.exec(html);
    assert.ok(script, html);
    const bundle = await fetch(new URL(script[1]!, `${service.adminUrl}/`));
    assert.equal(bundle.status, 200);
    assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
    const raw = await fetch(new URL(script[1]!, `${service.adminUrl}/`), { headers: { 'accept-encoding': 'br' } });
    assert.equal(raw.headers.get('content-encoding'), 'br', 'the build ships Brotli copies of its scripts');
  });
});
