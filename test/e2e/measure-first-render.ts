/**
 * How long the dashboard takes to show its first complete view over a large history: not a test
 * (too slow for the suite), a measurement to run by hand:
 *
 *   npm run build:web && N=1000000 ROUNDS=5 node --import tsx test/e2e/measure-first-render.ts
 *
 * Writes N synthetic requests spread over the last 30 days into a fresh database, starts the
 * service on it, then opens each view in a fresh headless Chromium context and prints the time
 * from navigation until its panels are ready, and when the page's API requests ran.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/service.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { testConfig } from '../helpers/service.js';
import { launchBrowser, openPage } from './helpers/browser.js';

const N = Number(process.env.N ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const DAY = 86_400_000;
const MODELS = ['llama3.2', 'qwen2.5:14b', 'mistral', 'gpt-4o-mini', 'phi3'];

function record(j: number, now: number): RequestRecord {
  const streamed = j % 3 === 0;
  const failed = j % 50 === 0;
  return {
    start_time: now - Math.floor(((N - j) / N) * 30 * DAY), method: 'POST', endpoint: '/v1/chat/completions',
    model: MODELS[j % MODELS.length]!, response_model: null, status_code: failed ? 500 : 200, is_error: failed,
    error_type: failed ? 'upstream_status' : null, error_message: null, was_streamed: streamed,
    input_tokens: failed ? null : 100 + (j % 400), output_tokens: failed ? null : 50 + (j % 300),
    total_tokens: failed ? null : 150 + (j % 700), cached_input_tokens: null, reasoning_tokens: null,
    usage_source: failed ? 'none' : 'reported', ttft_ms: streamed ? 80 + (j % 500) : null, ttlt_ms: streamed ? 900 + (j % 2000) : null,
    duration_ms: 200 + (j % 3000), tokens_per_second: failed ? null : 20 + (j % 80), finish_reason: 'stop', message_count: 2,
    origin: null, api_key_id: `key_${(j % 20).toString(16).padStart(16, '0')}`, user: `user${j % 50}`, tags: {}, cost_usd: null,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'lmp-first-render-'));
const dbPath = join(dir, 'metrics.db');
const store = openSqliteStore(dbPath);
const now = Date.now();
let started = performance.now();
for (let i = 0; i < N; i += 10_000) {
  await store.recordBatch(Array.from({ length: Math.min(10_000, N - i) }, (_, k) => record(i + k, now)));
}
await store.close();
console.log(`wrote ${N} requests in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
const service = await startService(testConfig({ upstreamUrl: 'http://127.0.0.1:9', dbPath }, dir), createLogger('silent'));
await fetch(`${service.adminUrl}/stats/summary`); // waits for the history to load into the index
console.log(`service up, history loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const VIEWS: ReadonlyArray<readonly [query: string, panels: readonly string[]]> = [
  ['', ['tiles', 'charts', 'stream-split']],
  ['range=7d', ['tiles', 'charts', 'stream-split']],
  ['range=30d', ['tiles', 'charts', 'stream-split']],
  ['range=all', ['tiles', 'charts', 'stream-split']],
  ['tab=models&range=30d', ['group-models']],
  ['tab=requests&range=30d', ['requests']],
];
/**
 * Runs in the page before its scripts: notes when every named panel first shows data. A string,
 * not a function: tsx's transform would add helpers the page does not have.
 */
const watchPanels = (panels: readonly string[]): string => `
  const selectors = ${JSON.stringify(panels.map((id) => `[data-panel="${id}"][data-state="ready"]`))};
  const observer = new MutationObserver(() => {
    if (!selectors.every((s) => document.querySelector(s) !== null)) return;
    window.readyAt = performance.now();
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
`;

const browser = await launchBrowser();
const totals: Record<string, number[]> = {};
for (const [query, panels] of VIEWS) {
  for (let round = 0; round < ROUNDS; round++) {
    const { page, context } = await openPage(browser);
    await page.addInitScript(watchPanels(panels));
    await page.goto(`${service.adminUrl}/?live=off&${query}`);
    await page.waitForFunction(() => (window as unknown as { readyAt?: number }).readyAt !== undefined, null, { timeout: 30_000 });
    const t = await page.evaluate(() => {
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const api = resources.filter((r) => r.name.includes('/stats/'));
      const script = resources.find((r) => r.name.includes('/render-'));
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        html: Math.round(nav.responseEnd),
        script: Math.round(script?.responseEnd ?? 0),
        first: Math.round(Math.min(...api.map((r) => r.startTime))),
        last: Math.round(Math.max(...api.map((r) => r.responseEnd))),
        slowest: Math.round(Math.max(...api.map((r) => r.responseEnd - r.requestStart))),
        ready: Math.round((window as unknown as { readyAt: number }).readyAt),
        entry: Math.round(performance.getEntriesByName('lmp:entry')[0]?.startTime ?? -1),
        entryLoaded: Math.round(resources.find((r) => r.name.includes('/index-') && r.name.endsWith('.js'))?.responseEnd ?? -1),
        dcl: Math.round(nav.domContentLoadedEventStart),
        detail: api.map((r) => `${r.name.replace(/^.*\/stats\//, '').slice(0, 24)} ${Math.round(r.startTime)}/${Math.round(r.requestStart)}/${Math.round(r.responseStart)}/${Math.round(r.responseEnd)}`).join(' | '),
      };
    });
    const view = query || 'range=24h';
    if (process.env.DETAIL) console.log(`  ${t.detail}`);
    (totals[view] ??= []).push(t.ready);
    console.log(
      `${view} #${round + 1}: ready ${t.ready} ms | html ${t.html}, entry loaded ${t.entryLoaded} ran ${t.entry}, app code loaded ${t.script}, dcl ${t.dcl} ` +
        `API ${t.first}–${t.last} (slowest answer ${t.slowest})`,
    );
    await context.close();
  }
}
for (const [view, times] of Object.entries(totals)) {
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${view}: median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms`);
}
await browser.close();
await service.close();
rmSync(dir, { recursive: true, force: true });
