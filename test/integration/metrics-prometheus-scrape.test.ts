/**
 * A real Prometheus server (Debian's `prometheus`) scrapes the admin port on loopback with its own
 * Accept header; after traffic through the proxy its query API returns the request counter.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { dashboardPanels, resolvedQuery } from '../helpers/grafana-dashboard.js';
import { MIX_GEN_AI, MIX_TOTAL, mixUpstream, sendMix } from '../helpers/metrics-traffic.js';
import { startTestService, type TestService } from '../helpers/service.js';

const PROMETHEUS = '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

interface QueryResult {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

describe('a real Prometheus scraping the admin port', { skip: existsSync(PROMETHEUS) ? false : `${PROMETHEUS} is missing: apt-get install prometheus (.ci/run installs it)` }, () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let prometheus: ChildProcess;
  let prometheusUrl: string;
  let dir: string;
  let log = '';

  before(async () => {
    upstream = await startFakeUpstream(mixUpstream);
    service = await startTestService({ upstreamUrl: upstream.url });
    dir = mkdtempSync(join(tmpdir(), 'lmp-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 500ms',
        '  scrape_timeout: 500ms',
        'scrape_configs:',
        '  - job_name: llm-metrics-proxy',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['${new URL(service.adminUrl).host}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    await waitFor(async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => null))?.status === 200, 20_000, 'Prometheus is ready');
  });

  after(async () => {
    if (prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await once(prometheus, 'exit');
    }
    await service.dispose();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<QueryResult['data']['result']> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as QueryResult;
    assert.equal(body.status, 'success', promql);
    return body.data.result;
  }

  async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      assert.ok(Date.now() < deadline, `timed out waiting until ${what}\nPrometheus log:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('scrapes the target successfully and finds the request counter after traffic', async () => {
    await sendMix(service.proxyUrl);
    await service.rows(MIX_TOTAL);
    const total = async (): Promise<number> => Number((await query('sum(llm_proxy_requests_total)'))[0]?.value[1] ?? NaN);
    await waitFor(async () => (await total()) === MIX_TOTAL, 30_000, `sum(llm_proxy_requests_total) is ${MIX_TOTAL}`);

    const targets = (await (await fetch(`${prometheusUrl}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ health: string; lastError: string; scrapeUrl: string }> };
    };
    const [target] = targets.data.activeTargets;
    assert.equal(target?.health, 'up');
    assert.equal(target?.lastError, '');
    assert.equal(target?.scrapeUrl, `${service.adminUrl}/metrics`);

    const byStatus = await query('sum by (status_code) (llm_proxy_requests_total)');
    assert.deepEqual(Object.fromEntries(byStatus.map((r) => [r.metric.status_code, Number(r.value[1])])), { '200': MIX_TOTAL - 1, '500': 1 });
    const genAi = await query('sum(gen_ai_client_operation_duration_seconds_count)');
    assert.equal(Number(genAi[0]?.value[1]), MIX_GEN_AI);
    const p95 = await query('histogram_quantile(0.95, sum by (le) (gen_ai_client_operation_duration_seconds_bucket))');
    assert.ok(Number(p95[0]?.value[1]) > 0, 'the duration histogram answers histogram_quantile');
  });

  it('answers every Grafana panel query and alert expression of docs/ (valid PromQL over real series)', async () => {
    await waitFor(async () => (await query('llm_proxy_requests_total')).length > 0, 30_000, 'series exist');
    const rules = parseYaml(readFileSync(new URL('../../docs/prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    const expressions = [...dashboardPanels().flatMap((p) => p.targets.map((t) => resolvedQuery(t.expr))), ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr))];
    for (const expr of expressions) await query(expr); // asserts status "success"
    // A panel over recorded data returns series: the request rate by model.
    const rateQuery = resolvedQuery(dashboardPanels().find((p) => p.title === 'Request rate by model')?.targets[0]?.expr ?? '');
    // rate() needs two scrapes of a series: the panel shows data once a second scrape came in.
    await waitFor(async () => (await query(rateQuery)).length > 0, 10_000, `${rateQuery} returns series`);
  });
});
