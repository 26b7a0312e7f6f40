/**
 * The monitoring files in docs/: the Prometheus config and alert rules pass promtool, and every
 * Grafana panel queries metrics this proxy exports. (metrics-prometheus-scrape.test.ts also runs
 * each panel's query against a real Prometheus.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { renderExposition } from '../../src/metrics/exposition.js';
import { PrometheusSink } from '../../src/metrics/prometheus-sink.js';
import { dashboardPanels } from '../helpers/grafana-dashboard.js';
import { parseExposition } from '../helpers/prometheus-text.js';

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS_CONFIG = fileURLToPath(new URL('../../docs/prometheus/prometheus.yml', import.meta.url));

describe('monitoring docs', () => {
  it('ship a Prometheus config and alert rules that promtool accepts', (t) => {
    if (!existsSync(PROMTOOL)) {
      t.skip(`${PROMTOOL} is missing: apt-get install prometheus (.ci/run installs it)`);
      return;
    }
    const result = spawnSync(PROMTOOL, ['check', 'config', PROMETHEUS_CONFIG], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /SUCCESS: 1 rule files found/);
    assert.match(result.stdout, /SUCCESS: 4 rules found/);
  });

  it('ship a Grafana dashboard whose panels cover the issue and query only exported metrics', async () => {
    const panels = dashboardPanels();
    const titles = panels.map((p) => p.title);
    for (const needed of ['Request rate by model', 'Errors by type', 'Request duration p50 / p95', 'Time to first token p50 / p95', 'Output tokens per second', 'Tokens by model']) {
      assert.ok(titles.includes(needed), `panel "${needed}"`);
    }
    const exported = new Set(parseExposition((await renderExposition(new PrometheusSink([], () => 0).registry, 'prometheus')).body).keys());
    // Metric names: what is left once `by (…)` groupings and `{…}` label matchers are taken out.
    const metricNames = (expr: string): string[] =>
      expr.replace(/\b(?:by|without)\s*\([^)]*\)/g, '').replace(/\{[^}]*\}/g, '').match(/\b(?:gen_ai|llm_proxy|process|nodejs)_[a-z0-9_]+/g) ?? [];
    const queried = panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
    assert.ok(queried.length > 10);
    for (const name of queried) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(exported.has(family) || exported.has(name), `${name} is exported`);
    }
  });
});
