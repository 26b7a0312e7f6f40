/**
 * The overview in a real browser against the real service: tiles equal the stats API's figures
 * for the window the dashboard asked for (and the change against the previous period), the
 * streamed split equals the streamed/non-streamed summaries, the charts come from one
 * timeseries request over the same window, "all time" charts start at the oldest request (one
 * `start=first` read), and
 * a link's first reads start from the page's entry, once each, before the app has loaded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Summary, Timeseries } from '../../src/api/stats-shapes.js';
import { compareValues } from '../../web/src/lib/change.js';
import { CHARTS, describeChart } from '../../web/src/lib/chart-data.js';
import { formatCount, formatDuration, formatTokensPerSecond } from '../../web/src/lib/format.js';
import { TILES } from '../../web/src/lib/tiles.js';
import { launchBrowser, openPage, screenshot, type BrowserPage } from './helpers/browser.js';
import { panelSource, queryOf, recordApiRequests, spanOf, tileChanges, tileValues } from './helpers/dashboard.js';
import { startServiceWithHistory, type DashboardService } from './helpers/traffic.js';

const DAY = 86_400_000;

describe('dashboard overview', { timeout: 120_000 }, () => {
  let svc: DashboardService;
  let browser: Browser;
  let tab: BrowserPage;
  let requests: string[];
  let traffic: number;

  before(async () => {
    ({ svc, traffic } = await startServiceWithHistory());
    browser = await launchBrowser();
    tab = await openPage(browser);
    requests = recordApiRequests(tab.page);
    await tab.page.goto(`${svc.service.adminUrl}/?live=off`);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('tiles show the figures of /stats/summary for the last 24 h, with units', async () => {
    const source = await panelSource(tab.page, 'tiles');
    assert.match(source, /^stats\/summary\?start=[^&]+&end=[^&]+$/);
    assert.equal(spanOf(source), DAY);
    assert.ok(Math.abs(Date.parse(queryOf(source).end!) - Date.now()) < 60_000, 'the window ends now');
    const summary = await svc.api<Summary>(source);
    assert.equal(summary.total_requests, traffic, 'the window holds the traffic just sent, not the older history');
    const expected = Object.fromEntries(TILES.map((t) => [t.id, t.format(t.value(summary))]));
    assert.deepEqual(await tileValues(tab.page), expected);
    assert.equal(expected.requests, String(traffic));
    assert.match(expected['duration-p50']!, / ms$/);
  });

  it('each tile compares with the previous 24 h, as computed from the API', async () => {
    const source = await panelSource(tab.page, 'tiles');
    const { start, end } = queryOf(source);
    const previousPath = `stats/summary?start=${encodeURIComponent(new Date(Date.parse(start!) - DAY).toISOString())}&end=${encodeURIComponent(start!)}`;
    assert.ok(requests.includes(previousPath), `the dashboard asked for the previous period: ${requests.join('\n')}`);
    assert.ok(end);
    const [current, previous] = [await svc.api<Summary>(source), await svc.api<Summary>(previousPath)];
    assert.equal(previous.total_requests, 6, 'the six requests of 30 h ago');
    const changes = await tileChanges(tab.page);
    for (const tile of TILES) {
      const change = compareValues(tile.value(current), tile.value(previous), tile.change, tile.better);
      const text = changes[tile.id]!;
      assert.ok(change === null ? text.startsWith('—') : text.includes(change.label), `${tile.id}: "${text}" vs ${change?.label}`);
      assert.ok(text.endsWith('vs previous 24 h'), text);
    }
    // 18 now against 6 before.
    assert.ok(changes.requests!.includes(`+${(((traffic - 6) / 6) * 100).toFixed(1)}%`), changes.requests);
  });

  it('the streamed / non-streamed split (one /stats/by-streamed read) equals the two filtered summaries, reported usage included', async () => {
    const source = await panelSource(tab.page, 'stream-split');
    const tiles = await panelSource(tab.page, 'tiles');
    assert.equal(source, tiles.replace('stats/summary', 'stats/by-streamed'));
    const streamed = await svc.api<Summary>(`${tiles}&streamed=true`);
    const plain = await svc.api<Summary>(`${tiles}&streamed=false`);
    assert.equal(streamed.total_requests, 7);
    assert.equal(streamed.requests_with_usage, 5, 'two streams were sent without include_usage');
    const cell = (row: string, side: string) => tab.page.locator(`[data-panel="stream-split"] tr[data-row="${row}"] td[data-side="${side}"]`).textContent();
    for (const [side, s] of [['streamed', streamed], ['non-streamed', plain]] as const) {
      assert.equal(await cell('requests', side), formatCount(s.total_requests));
      assert.equal(await cell('failed', side), formatCount(s.failed_requests));
      assert.equal(await cell('usage', side), `${formatCount(s.requests_with_usage)} of ${formatCount(s.total_requests)}`);
      assert.equal(await cell('output-tokens', side), formatCount(s.total_output_tokens));
      assert.equal(await cell('duration', side), formatDuration(s.average_duration_ms));
      assert.equal(await cell('ttft', side), formatDuration(s.average_ttft_ms));
      assert.equal(await cell('speed', side), formatTokensPerSecond(s.average_tokens_per_second));
    }
    assert.equal(await cell('usage', 'streamed'), '5 of 7');
  });

  it('five charts are drawn from one /stats/timeseries request over the same window', async () => {
    const tiles = await panelSource(tab.page, 'tiles');
    const source = await panelSource(tab.page, 'charts');
    assert.equal(source, tiles.replace('stats/summary', 'stats/timeseries'));
    const series = await svc.api<Timeseries>(source);
    assert.equal(series.bucket, '5m', 'the server picks the bucket: 24 h in 5-minute buckets');
    assert.equal(await tab.page.locator('[data-panel="charts"] figure[data-chart] canvas').count(), CHARTS.length);
    for (const spec of CHARTS) {
      const label = await tab.page.locator(`figure[data-chart="${spec.id}"] [role="img"]`).getAttribute('aria-label');
      assert.equal(label, describeChart(series, spec), spec.id);
    }
    assert.ok((await tab.page.locator('figure[data-chart="requests"] [role="img"]').getAttribute('aria-label'))!.includes('Error peak 2'));
    await screenshot(tab.page, 'overview');
    assert.deepEqual(tab.errors, []);
  });

  it('all time: tiles count everything, charts start at the oldest request, nothing to compare with', async () => {
    await tab.page.locator('[data-range="all"]').click();
    assert.equal(await panelSource(tab.page, 'tiles', (s) => s === 'stats/summary'), 'stats/summary');
    assert.equal((await tileValues(tab.page)).requests, String(traffic + 10));
    const changes = await tileChanges(tab.page);
    assert.equal(changes.requests, 'no earlier period');
    const all = await svc.api<{ requests: Array<{ start_time: string }> }>('stats/recent?limit=1000');
    const first = all.requests.at(-1)!.start_time; // newest first: the last is the oldest
    assert.ok(Date.now() - Date.parse(first) > 80 * 3_600_000, 'the oldest is one of the records of 80 h ago');
    const charts = await panelSource(tab.page, 'charts', (s) => queryOf(s).start === 'first');
    assert.equal(charts, 'stats/timeseries?start=first', 'one read: the server starts at the oldest request');
    assert.ok(!requests.some((r) => r.startsWith('stats/recent') && r.includes('offset=')), 'no row was paged to for the oldest');
    const series = await svc.api<Timeseries>(charts);
    assert.equal(series.start, first);
    assert.ok(Date.parse(series.end) >= Date.parse(all.requests[0]!.start_time));
    assert.equal(new URL(tab.page.url()).searchParams.get('range'), 'all');
  });

  it('the first reads of a link go out once each, from the entry script, before the app has drawn anything', async () => {
    for (const [query, reads] of [['', 5], ['&range=all', 4]] as const) {
      const { page, context, errors } = await openPage(browser);
      // Notes when the app first draws a panel; the entry's reads must have started before.
      await page.addInitScript(`new MutationObserver((_, observer) => {
        if (document.querySelector('[data-panel]') === null) return;
        window.firstPanelAt = performance.now();
        observer.disconnect();
      }).observe(document, { subtree: true, childList: true });`);
      const asked = recordApiRequests(page);
      await page.goto(`${svc.service.adminUrl}/?live=off${query}`);
      await panelSource(page, 'charts');
      await panelSource(page, 'stream-split');
      assert.equal(new Set(asked).size, asked.length, `no path asked twice: ${asked.join('\n')}`);
      // The probe, the summary, the previous period's (not for all time), the split, the charts.
      assert.equal(asked.length, reads, asked.join('\n'));
      const early = await page.evaluate(() => {
        const at = (window as unknown as { firstPanelAt: number }).firstPanelAt;
        return (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          .filter((r) => r.name.includes('/stats/') && r.startTime < at).length;
      });
      assert.equal(early, reads, `reads started before the first panel (${query || '24 h'})`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
