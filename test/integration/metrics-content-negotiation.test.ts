/**
 * `GET /metrics` on the admin port: Prometheus's real Accept header gets exposition text
 * (OpenMetrics, as it prefers), a plain text/plain scraper the text format; curl, a browser or no
 * Accept header get the JSON of the OpenAI metrics proxy. `/metrics/prometheus` always serves
 * exposition.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { mixUpstream, sendMix } from '../helpers/metrics-traffic.js';
import { parseExposition } from '../helpers/prometheus-text.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** What Prometheus 2.x sends with every scrape (scrape.go, scrapeAcceptHeader). */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const CHROME_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const TEXT_FORMAT = 'text/plain; version=0.0.4; charset=utf-8';

describe('GET /metrics content negotiation', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream(mixUpstream);
    service = await startTestService({ upstreamUrl: upstream.url });
    await sendMix(service.proxyUrl);
    await service.rows(1);
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  const get = async (path: string, accept?: string): Promise<{ status: number; type: string | null; vary: string | null; body: string }> => {
    const res = await fetch(`${service.adminUrl}${path}`, { headers: accept === undefined ? {} : { accept } });
    return { status: res.status, type: res.headers.get('content-type'), vary: res.headers.get('vary'), body: await res.text() };
  };

  it("gives Prometheus's own Accept header OpenMetrics, ending # EOF, with _total counter samples", async () => {
    const res = await get('/metrics', PROMETHEUS_ACCEPT);
    assert.equal(res.status, 200);
    assert.equal(res.type, OPENMETRICS);
    assert.equal(res.vary, 'Accept');
    assert.ok(res.body.endsWith('# EOF\n'));
    assert.match(res.body, /^# TYPE llm_proxy_requests counter$/m);
    assert.match(res.body, /^llm_proxy_requests_total\{.*\} \d+$/m);
    assert.ok(parseExposition(res.body).has('gen_ai_client_operation_duration_seconds'));
  });

  it('gives a text/plain scraper the text format', async () => {
    for (const accept of ['text/plain;version=0.0.4', 'text/plain', 'text/*;q=0.9, application/json;q=0.5']) {
      const res = await get('/metrics', accept);
      assert.equal(res.type, TEXT_FORMAT, accept);
      assert.match(res.body, /^# TYPE llm_proxy_requests_total counter$/m, accept);
    }
  });

  it("gives curl's */*, a browser and a request without Accept the JSON", async () => {
    for (const accept of ['*/*', CHROME_ACCEPT, undefined, 'application/json, text/plain, */*']) {
      const res = await get('/metrics', accept);
      assert.equal(res.status, 200, String(accept));
      assert.match(res.type ?? '', /^application\/json/, String(accept));
      const json = JSON.parse(res.body) as { requests: { total: { total: number } } };
      assert.ok(json.requests.total.total > 0, String(accept));
    }
  });

  it('keeps the JSON filters working', async () => {
    const res = await get('/metrics?model=nothing-like-this', '*/*');
    assert.equal((JSON.parse(res.body) as { requests: { total: { total: number } } }).requests.total.total, 0);
  });

  it('always serves exposition on /metrics/prometheus: text by default, OpenMetrics when preferred', async () => {
    assert.equal((await get('/metrics/prometheus')).type, TEXT_FORMAT);
    assert.equal((await get('/metrics/prometheus', '*/*')).type, TEXT_FORMAT);
    assert.equal((await get('/metrics/prometheus', CHROME_ACCEPT)).type, TEXT_FORMAT);
    assert.equal((await get('/metrics/prometheus', 'application/json')).type, TEXT_FORMAT);
    assert.equal((await get('/metrics/prometheus', PROMETHEUS_ACCEPT)).type, OPENMETRICS);
  });
});
