/**
 * Time range, filters, breakdown tabs and live mode in a real browser: each change alters the
 * requests the dashboard makes and what it shows (checked against the API), the URL holds the
 * view (a reload reproduces it, Back returns), and live mode refreshes until paused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { Summary } from '../../src/api/stats-shapes.js';
import { GROUP_COLUMNS, GROUP_KINDS, type GroupTab } from '../../web/src/lib/group-table.js';
import { TILES } from '../../web/src/lib/tiles.js';
import { launchBrowser, openPage, screenshot, type BrowserPage } from './helpers/browser.js';
import { panelSource, queryOf, recordApiRequests, spanOf, tileValues } from './helpers/dashboard.js';
import { startServiceWithHistory, type DashboardService } from './helpers/traffic.js';

const HOUR = 3_600_000;

describe('dashboard range, filters, breakdowns, URL and live mode', { timeout: 180_000 }, () => {
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
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  /** The tiles equal the API's summary for the path behind them. */
  async function assertTilesMatch(source: string): Promise<Summary> {
    const summary = await svc.api<Summary>(source);
    assert.deepEqual(await tileValues(tab.page), Object.fromEntries(TILES.map((t) => [t.id, t.format(t.value(summary))])));
    return summary;
  }

  it('each preset asks for its window and the tiles follow', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off`);
    for (const [key, span, count] of [['1h', HOUR, traffic], ['7d', 7 * 24 * HOUR, traffic + 10], ['15m', HOUR / 4, traffic]] as const) {
      await tab.page.locator(`[data-range="${key}"]`).click();
      assert.equal(await tab.page.locator(`[data-range="${key}"]`).getAttribute('aria-pressed'), 'true');
      const source = await panelSource(tab.page, 'tiles', (s) => s.startsWith('stats/summary?') && spanOf(s) === span);
      assert.equal((await assertTilesMatch(source)).total_requests, count, key);
      assert.equal(new URL(tab.page.url()).searchParams.get('range'), key);
      const charts = await panelSource(tab.page, 'charts', (s) => spanOf(s) === span);
      assert.equal(queryOf(charts).start, queryOf(source).start, 'the charts use the same window');
    }
  });

  it('a custom range asks for exactly the chosen window (viewer time zone: UTC here)', async () => {
    await tab.page.locator('[data-range="custom"]').click();
    const start = new Date(Date.now() - 33 * HOUR);
    const end = new Date(Date.now() - 27 * HOUR);
    const local = (d: Date) => d.toISOString().slice(0, 16);
    await tab.page.locator('.custom-range input[name="from"]').fill(local(start));
    await tab.page.locator('.custom-range input[name="to"]').fill(local(end));
    await tab.page.locator('.custom-range button[type="submit"]').click();
    const expectedStart = `${local(start)}:00.000Z`;
    const source = await panelSource(tab.page, 'tiles', (s) => queryOf(s).start === expectedStart);
    assert.equal(queryOf(source).end, `${local(end)}:00.000Z`);
    assert.equal((await assertTilesMatch(source)).total_requests, 6, 'the six requests of 30 h ago');
    const url = new URL(tab.page.url()).searchParams;
    assert.equal(url.get('range'), 'custom');
    assert.equal(url.get('from'), expectedStart);
    // The previous period of a custom range has its length too.
    const before = new Date(Date.parse(expectedStart) - 6 * HOUR).toISOString();
    await panelSource(tab.page, 'tiles');
    assert.ok(requests.some((r) => r.startsWith('stats/summary?') && queryOf(r).start === before && queryOf(r).end === expectedStart));
  });

  it('the filter form sets every API filter; chips remove them', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off`);
    await panelSource(tab.page, 'tiles');
    await tab.page.getByRole('button', { name: 'Filters', exact: true }).click();
    await tab.page.locator('#filter-status').selectOption('error');
    await tab.page.locator('#filter-user').fill('alice');
    await tab.page.locator('#filter-tag').fill('team:red');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    const source = await panelSource(tab.page, 'tiles', (s) => s.includes('status=error'));
    assert.deepEqual(
      { status: queryOf(source).status, user: queryOf(source).user, tag: queryOf(source).tag },
      { status: 'error', user: 'alice', tag: 'team:red' },
    );
    assert.equal((await assertTilesMatch(source)).total_requests, 2, 'the two failures of broken-model');
    assert.equal(await tab.page.locator('.chip').count(), 3);
    await screenshot(tab.page, 'filters');
    await tab.page.getByRole('button', { name: 'Remove the filter Status error' }).click();
    const fewer = await panelSource(tab.page, 'tiles', (s) => !s.includes('status=') && s.includes('user=alice'));
    assert.equal((await assertTilesMatch(fewer)).total_requests, 9, "alice's requests");
    await tab.page.getByRole('button', { name: 'Clear all' }).click();
    await panelSource(tab.page, 'tiles', (s) => !s.includes('user='));
    assert.equal(await tab.page.locator('.chip').count(), 0);
  });

  for (const group of ['models', 'keys', 'users', 'endpoints'] as const) {
    it(`the ${group} tab lists /stats/${GROUP_KINDS[group].endpoint} with every column`, async () => {
      await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=${group}`);
      const source = await panelSource(tab.page, `group-${group}`);
      assert.match(source, new RegExp(`^stats/${GROUP_KINDS[group].endpoint}\\?start=`));
      await assertGroupTable(group, source);
      await screenshot(tab.page, group);
    });
  }

  async function assertGroupTable(group: GroupTab, source: string): Promise<void> {
    const kind = GROUP_KINDS[group];
    const body = await svc.api<Record<string, Array<Record<string, unknown>>>>(source);
    const rows = tab.page.locator(`table[data-group="${group}"] tbody tr`);
    assert.equal(await rows.count(), body[kind.list]!.length);
    for (const [i, entry] of body[kind.list]!.entries()) {
      const row = rows.nth(i);
      assert.equal(await row.getAttribute('data-key'), (entry[kind.field] as string | null) ?? '');
      for (const column of GROUP_COLUMNS) {
        const cell = await row.locator(`td[data-column="${column.id}"]`).textContent();
        assert.equal(cell, column.format(column.value({ ...(entry as any), key: entry[kind.field] })), `${group} ${i} ${column.id}`);
      }
    }
  }

  it('the models table sorts by a column; a model click filters the whole dashboard', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=models`);
    await panelSource(tab.page, 'group-models');
    const names = () => tab.page.locator('table[data-group="models"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    assert.deepEqual(await names(), ['llama3.2', 'qwen2.5:14b', 'broken-model', 'nomic-embed-text']);
    const heading = (label: string) => tab.page.locator('table[data-group="models"] thead th').filter({ hasText: new RegExp(`^${label}`) });
    await heading('Requests').getByRole('button').click();
    assert.equal(await heading('Requests').getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await names(), ['broken-model', 'nomic-embed-text', 'qwen2.5:14b', 'llama3.2']);
    await heading('Model').getByRole('button').click();
    assert.equal(await heading('Model').getAttribute('aria-sort'), 'ascending');
    assert.equal(await heading('Requests').getAttribute('aria-sort'), 'none');
    assert.deepEqual(await names(), ['broken-model', 'llama3.2', 'nomic-embed-text', 'qwen2.5:14b']);

    await tab.page.getByRole('button', { name: 'qwen2.5:14b', exact: true }).click();
    assert.equal(await tab.page.getByRole('tab', { name: 'Overview' }).getAttribute('aria-selected'), 'true');
    const source = await panelSource(tab.page, 'tiles', (s) => queryOf(s).model === 'qwen2.5:14b');
    assert.equal((await assertTilesMatch(source)).total_requests, 5);
    const charts = await panelSource(tab.page, 'charts', (s) => queryOf(s).model === 'qwen2.5:14b');
    assert.ok(charts.startsWith('stats/timeseries?'));
    await tab.page.getByRole('tab', { name: 'Users' }).click();
    const users = await panelSource(tab.page, 'group-users', (s) => queryOf(s).model === 'qwen2.5:14b');
    await assertGroupTable('users', users);
    assert.deepEqual(await tab.page.locator('table[data-group="users"] tbody tr').evaluateAll((r) => r.map((x) => x.getAttribute('data-key'))), ['bob']);
  });

  it('the URL holds range, filters and tab: a reload reproduces the view, Back returns to the last one', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off`);
    await panelSource(tab.page, 'tiles');
    await tab.page.locator('[data-range="6h"]').click();
    await tab.page.getByRole('tab', { name: 'Endpoints' }).click();
    await tab.page.getByRole('button', { name: 'Filters', exact: true }).click();
    await tab.page.locator('#filter-streamed').selectOption('false');
    await tab.page.getByRole('button', { name: 'Apply filters' }).click();
    const before = await panelSource(tab.page, 'group-endpoints', (s) => s.includes('streamed=false'));
    const url = tab.page.url();
    assert.deepEqual(Object.fromEntries(new URL(url).searchParams), { tab: 'endpoints', range: '6h', streamed: 'false', live: 'off' });

    await tab.page.reload();
    const after = await panelSource(tab.page, 'group-endpoints', (s) => s.includes('streamed=false'));
    assert.equal(spanOf(after), spanOf(before));
    assert.equal(tab.page.url(), url);
    assert.equal(await tab.page.getByRole('tab', { name: 'Endpoints' }).getAttribute('aria-selected'), 'true');
    assert.equal(await tab.page.locator('[data-range="6h"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await tab.page.locator('.chip[data-filter="streamed"]').textContent(), 'Streamed: no×');
    await assertGroupTable('endpoints', after);

    await tab.page.goBack(); // before the filter
    await panelSource(tab.page, 'group-endpoints', (s) => !s.includes('streamed='));
    assert.equal(new URL(tab.page.url()).searchParams.get('streamed'), null);
    await tab.page.goBack(); // before the tab change
    await panelSource(tab.page, 'tiles', (s) => spanOf(s) === 6 * HOUR);
  });

  it('live mode reloads every few seconds; paused, it stops until resumed', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/`);
    const live = tab.page.locator('.live-toggle');
    assert.equal(await live.getAttribute('aria-pressed'), 'true');
    await panelSource(tab.page, 'tiles');
    const summaries = () => requests.filter((r) => r.startsWith('stats/summary?') && !r.includes('streamed')).length;
    const first = summaries();
    await tab.page.waitForTimeout(5600);
    assert.ok(summaries() > first, 'a refresh within 5.6 s');
    const source = await panelSource(tab.page, 'tiles');
    assert.ok(Date.parse(queryOf(source).end!) > Date.now() - 7000, 'the window moved with the clock');

    await live.click();
    assert.equal(await live.getAttribute('aria-pressed'), 'false');
    assert.equal(new URL(tab.page.url()).searchParams.get('live'), 'off');
    await panelSource(tab.page, 'tiles');
    const paused = summaries();
    await tab.page.waitForTimeout(5600);
    assert.equal(summaries(), paused, 'no refresh while paused');
    await tab.page.getByRole('button', { name: 'Refresh', exact: true }).click();
    await panelSource(tab.page, 'tiles', () => summaries() > paused);
    await live.click();
    assert.equal(await live.getAttribute('aria-pressed'), 'true');
    assert.equal(new URL(tab.page.url()).searchParams.get('live'), null);
    assert.deepEqual(tab.errors, []);
  });
});
