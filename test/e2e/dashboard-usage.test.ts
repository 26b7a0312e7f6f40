/**
 * The Usage view in a real browser against the real service: one `/stats/usage` read over whole
 * UTC days of the last 30 days by default; totals, stacked chart, legend and table equal that
 * answer; the CSV link is the same query as CSV; granularity, group by and metric live in the URL;
 * the usage filters apply and tags are said to be ignored; all time, empty answers, loading and
 * errors; keyboard, contrast in both themes and a 480 px screen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { UsageAnswer } from '../../src/api/stats-shapes.js';
import {
  describeUsageChart, formatMetric, NO_GROUP_LABEL, periodLabel, stackUsage, usageColumns, usageTableRows, usageTotals,
} from '../../web/src/lib/usage.js';
import { formatDateTime } from '../../web/src/lib/format.js';
import { launchBrowser, openPage, screenshot, type BrowserPage } from './helpers/browser.js';
import { contrasts } from './helpers/contrast.js';
import { panelSource, queryOf, recordApiRequests } from './helpers/dashboard.js';
import { pastRecords, startServiceWithHistory, type DashboardService } from './helpers/traffic.js';

const DAY = 86_400_000;
const CSV_HEADER = 'requests,errors,input_tokens,output_tokens,total_tokens,cached_input_tokens,reasoning_tokens,cost_usd,duration_ms';

/** Every body row of the usage table, cell by cell. */
async function tableRows(page: Page): Promise<string[][]> {
  return page.$$eval('[data-panel="usage-table"] tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')));
}

/** The table the answer should give, built from the API's answer alone. */
function expectedRows(answer: UsageAnswer): string[][] {
  const columns = usageColumns(answer.totals);
  return usageTableRows(answer, answer.group_by ?? 'none').map((r) => [
    periodLabel(r.period, answer.granularity),
    ...(answer.group_by === null ? [] : [r.group ?? NO_GROUP_LABEL]),
    ...columns.map((c) => c.format(c.value(r.sums))),
  ]);
}

async function legend(page: Page): Promise<Array<[string, string]>> {
  return page.$$eval('.usage-legend li', (items) =>
    items.map((li) => [li.querySelector('.usage-legend-label')?.textContent ?? '', li.querySelector('.usage-legend-value')?.textContent ?? ''] as [string, string]),
  );
}

async function chartLabel(page: Page): Promise<string | null> {
  return page.locator('[data-panel="usage"] [data-chart="usage"] [role="img"]').getAttribute('aria-label');
}


describe('dashboard usage view', { timeout: 180_000 }, () => {
  let svc: DashboardService;
  let browser: Browser;
  let tab: BrowserPage;
  let traffic: number;
  let asked: string[];

  before(async () => {
    ({ svc, traffic } = await startServiceWithHistory());
    browser = await launchBrowser();
    tab = await openPage(browser);
    asked = recordApiRequests(tab.page);
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('opens on the last 30 days: one read over whole UTC days, grouped by model; totals and table equal the answer', async () => {
    const { page } = tab;
    const source = await panelSource(page, 'usage');
    assert.match(source, /^stats\/usage\?start=[^&]+&end=[^&]+&granularity=day&group_by=model$/);
    const { start, end } = queryOf(source);
    assert.equal(start!.slice(10), 'T00:00:00.000Z', 'the first day is whole: the start is a UTC midnight');
    assert.ok(Math.abs(Date.parse(end!) - Date.now()) < 60_000, 'the range ends now');
    const span = Date.parse(end!) - Date.parse(start!);
    assert.ok(span >= 30 * DAY && span < 31 * DAY, `30 days back to the midnight before: ${span / DAY} days`);
    assert.equal(await page.locator('[data-range="30d"]').getAttribute('aria-pressed'), 'true');
    assert.equal(new URL(page.url()).search, '?tab=usage&live=off', 'the 30 days are this view default: not in the URL');
    assert.equal(await panelSource(page, 'usage-table'), source, 'the table comes from the same read');
    // The entry reads ahead the same path the panel asks for: one read in all, besides the probe.
    assert.deepEqual(asked, ['stats/recent?limit=1', source]);

    const answer = await svc.api<UsageAnswer>(source);
    assert.equal(answer.totals.requests, traffic + 10, 'the traffic just sent and the history of 30 h and 80 h ago');
    assert.equal(answer.partial, false);
    const totals = await page.$$eval('[data-usage-total]', (tiles) =>
      tiles.map((t) => ({ id: t.getAttribute('data-usage-total'), label: t.querySelector('dt')?.textContent, value: t.querySelector('dd')?.textContent })),
    );
    assert.deepEqual(totals, usageTotals(answer.totals));
    assert.equal(totals.find((t) => t.id === 'requests')!.value, String(traffic + 10));
    assert.ok(!totals.some((t) => t.id === 'cached-tokens' || t.id === 'reasoning-tokens'), 'no cached or reasoning tokens were recorded: not shown');

    const rows = await tableRows(page);
    assert.deepEqual(rows, expectedRows(answer));
    // Independently of the dashboard code: today's llama3.2 row counts 4 plain and 5 streamed requests.
    const today = periodLabel(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`), 'day');
    const llama = rows.find((r) => r[0] === today && r[1] === 'llama3.2');
    assert.equal(llama?.[2], '9', JSON.stringify(rows));
    const failing = rows.find((r) => r[0] === today && r[1] === 'broken-model');
    assert.deepEqual(failing?.slice(2, 4), ['2', '2'], 'two requests, two errors');
    const footer = await page.$$eval('[data-panel="usage-table"] tfoot [data-column]', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(footer, usageColumns(answer.totals).map((c) => c.format(c.value(answer.totals))));
    assert.equal(await page.locator('[data-testid="usage-range"]').textContent(), `UTC days, from ${periodLabel(Date.parse(start!), 'day')} to ${formatDateTime(answer.end)}`);
  });

  it('draws the stacked bars: a series per model, largest first, legend with each total; hovering a bar shows its period', async () => {
    const { page } = tab;
    const source = await panelSource(page, 'usage');
    const answer = await svc.api<UsageAnswer>(source);
    const stack = stackUsage(answer, 'model', 'tokens');
    assert.deepEqual(stack.series.map((s) => s.label), ['llama3.2', 'qwen2.5:14b', 'nomic-embed-text', 'broken-model']);
    assert.equal(stack.periods.length, 31);
    assert.equal(await chartLabel(page), describeUsageChart(stack, 'day', 'tokens'));
    assert.equal(await page.locator('[data-panel="usage"] canvas').count(), 1);
    assert.deepEqual(await legend(page), stack.series.map((s) => [s.label, formatMetric(s.total, 'tokens')]));
    assert.equal(await page.locator('.usage-legend-title strong').textContent(), 'Whole range');

    // The last bar (today): the pointer over it shows today's figures.
    const box = (await page.locator('[data-panel="usage"] .u-over').boundingBox())!;
    const n = stack.periods.length;
    await page.mouse.move(box.x + (box.width * (n - 0.5)) / n, box.y + box.height - 5);
    await page.locator(`.usage-legend[data-hover="${n - 1}"]`).waitFor();
    assert.equal(await page.locator('.usage-legend-title strong').textContent(), periodLabel(stack.periods[n - 1]!, 'day'));
    assert.deepEqual(await legend(page), stack.series.map((s) => [s.label, formatMetric(s.values[n - 1]!, 'tokens')]));
    await screenshot(page, 'usage-hover', false);
    await page.mouse.move(0, 0);
    await page.locator('.usage-legend[data-hover=""]').waitFor();
    await screenshot(page, 'usage');
    assert.deepEqual(tab.errors, []);
  });

  it('the CSV link is the same query with format=csv, and downloads the same rows', async () => {
    const { page } = tab;
    const source = await panelSource(page, 'usage');
    const href = await page.locator('[data-testid="usage-csv"]').getAttribute('href');
    assert.equal(href, `${source}&format=csv`);
    const response = await fetch(new URL(href!, `${svc.service.adminUrl}/`));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="usage-day-by-model-.*\.csv"$/);
    const lines = (await response.text()).trim().split(/\r?\n/);
    assert.equal(lines[0], `period,model,${CSV_HEADER}`);
    const answer = await svc.api<UsageAnswer>(source);
    assert.equal(lines.length - 1, answer.usage.length, 'one CSV line per table row');
    assert.equal(lines[1]!.split(',')[0], answer.usage[0]!.period.slice(0, 10));

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="usage-csv"]').click()]);
    assert.match(download.suggestedFilename(), /^usage-day-by-model-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const saved = await download.path();
    assert.ok(saved);
  });

  it('granularity, group by and metric change the read (metric only the drawing), live in the URL and come back with Back', async () => {
    const { page } = tab;
    await page.locator('[data-granularity="week"]').click();
    const week = await panelSource(page, 'usage', (s) => queryOf(s).granularity === 'week');
    const start = new Date(queryOf(week).start!);
    assert.equal(start.getUTCDay(), 1, 'weeks start on Monday');
    assert.equal(start.toISOString().slice(10), 'T00:00:00.000Z');
    assert.equal(new URL(page.url()).searchParams.get('granularity'), 'week');
    assert.deepEqual(await tableRows(page), expectedRows(await svc.api<UsageAnswer>(week)));
    assert.match((await tableRows(page))[0]![0]!, /^Week of \d+ \w{3} \d{4}$/);

    await page.locator('#usage-group-by').selectOption('user');
    const byUser = await panelSource(page, 'usage-table', (s) => queryOf(s).group_by === 'user');
    assert.equal(queryOf(byUser).granularity, 'week');
    const users = await svc.api<UsageAnswer>(byUser);
    assert.deepEqual(await tableRows(page), expectedRows(users));
    assert.deepEqual(new Set(users.usage.map((r) => r.user)), new Set(['alice', 'bob', 'carol']));
    assert.equal(await page.locator('[data-panel="usage-table"] thead th').nth(1).textContent(), 'User');

    const asked: string[] = [];
    page.on('request', (r) => asked.push(r.url()));
    await page.locator('[data-metric="cost"]').click();
    const costStack = stackUsage(users, 'user', 'cost');
    await page.waitForFunction((label) => document.querySelector('[data-chart="usage"] [role="img"]')?.getAttribute('aria-label') === label, describeUsageChart(costStack, 'week', 'cost'));
    assert.deepEqual(await legend(page), costStack.series.map((s) => [s.label, formatMetric(s.total, 'cost')]));
    assert.ok((await legend(page)).every(([, v]) => v.startsWith('$')));
    assert.deepEqual(asked.filter((u) => u.includes('/stats/')), [], 'the metric is drawn from the answer on screen: no new read');
    assert.equal(new URL(page.url()).searchParams.get('metric'), 'cost');

    await page.locator('#usage-group-by').selectOption('none');
    const flat = await panelSource(page, 'usage', (s) => !s.includes('group_by'));
    assert.match(flat, /^stats\/usage\?start=[^&]+&end=[^&]+&granularity=week$/);
    assert.equal(await page.locator('[data-panel="usage-table"] thead th').nth(1).textContent(), 'Requests', 'no group column');
    assert.deepEqual(await legend(page), [['Cost', formatMetric((await svc.api<UsageAnswer>(flat)).totals.cost_usd, 'cost')]]);

    await page.locator('[data-granularity="month"]').click();
    const month = await panelSource(page, 'usage', (s) => queryOf(s).granularity === 'month');
    assert.equal(queryOf(month).start!.slice(8), '01T00:00:00.000Z', 'months start on the 1st');
    assert.equal(new URL(page.url()).search, '?tab=usage&live=off&granularity=month&group_by=none&metric=cost');

    await page.reload();
    assert.equal(await page.locator('[data-granularity="month"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#usage-group-by').inputValue(), 'none');
    assert.equal(await page.locator('[data-metric="cost"]').getAttribute('aria-pressed'), 'true');
    await page.goBack(); // to week, no grouping, cost
    await panelSource(page, 'usage', (s) => queryOf(s).granularity === 'week' && !s.includes('group_by'));
    for (let i = 0; i < 4; i++) await page.goBack(); // by user with cost, by user, week by model, day by model
    await panelSource(page, 'usage', (s) => queryOf(s).granularity === 'day' && queryOf(s).group_by === 'model');
    assert.equal(await page.locator('[data-metric="tokens"]').getAttribute('aria-pressed'), 'true');
  });

  it('applies the usage filters; a tag filter is left out of the read, and the view says so', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage&model=llama3.2&streamed=true&tag=team:red`);
    const source = await panelSource(page, 'usage');
    assert.equal(queryOf(source).model, 'llama3.2');
    assert.equal(queryOf(source).streamed, 'true');
    assert.ok(!source.includes('tag'), source);
    const note = await page.locator('[data-testid="usage-tag-note"]').textContent();
    assert.match(note!, /^Usage ignores tag filters \(team:red\)/);
    const answer = await svc.api<UsageAnswer>(source);
    assert.equal(answer.totals.requests, 5 + 3, '5 streamed llama3.2 requests now, 3 in the history');
    assert.deepEqual(await tableRows(page), expectedRows(answer));

    // A model name in the table filters by it, and stays on this view.
    await page.locator('[data-filter="model"] .chip-remove').click();
    await panelSource(page, 'usage-table', (s) => queryOf(s).model === undefined);
    await page.locator('[data-panel="usage-table"] tbody .link-button', { hasText: 'qwen2.5:14b' }).first().click();
    const picked = await panelSource(page, 'usage', (s) => queryOf(s).model === 'qwen2.5:14b');
    assert.ok(picked);
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'usage');

    // Without a tag filter, no note; on other views, no usage note.
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
    await panelSource(page, 'usage');
    assert.equal(await page.locator('[data-testid="usage-tag-note"]').count(), 0);
    await page.context().close();
  });

  it('all time omits start (the server starts at the first recorded day); other views keep their own default range', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
    await panelSource(page, 'usage');
    await page.locator('[data-range="all"]').click();
    const all = await panelSource(page, 'usage', (s) => queryOf(s).start === undefined);
    assert.equal(all, 'stats/usage?granularity=day&group_by=model');
    const answer = await svc.api<UsageAnswer>(all);
    const oldest = Date.now() - 80 * 3_600_000 - 4000; // pastRecords: the oldest, 80 h ago
    assert.equal(answer.start, `${new Date(oldest).toISOString().slice(0, 10)}T00:00:00.000Z`);
    assert.equal(answer.totals.requests, (await svc.api<UsageAnswer>('stats/usage')).totals.requests);
    assert.deepEqual(await tableRows(page), expectedRows(answer));

    // The range chosen here (all) is kept on other views; the default (30 days) is not.
    await page.getByRole('tab', { name: 'Overview' }).click();
    assert.equal(await page.locator('[data-range="all"]').getAttribute('aria-pressed'), 'true');
    await page.locator('[data-range="30d"]').click();
    await page.getByRole('tab', { name: 'Usage' }).click();
    await panelSource(page, 'usage', (s) => queryOf(s).start !== undefined);
    assert.equal(new URL(page.url()).searchParams.get('range'), null, '30 days on Usage is its default');
    await page.getByRole('tab', { name: 'Models' }).click();
    await panelSource(page, 'group-models');
    assert.equal(await page.locator('[data-range="24h"]').getAttribute('aria-pressed'), 'true', 'back to the 24 h of the other views');
    await page.context().close();
  });

  it('shows loading, then an empty answer; a failed read says so in place and the rest works', async () => {
    const { page, errors } = await openPage(browser);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/stats/usage?**', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage&model=no-such-model`);
    await page.locator('[data-panel="usage"][data-state="loading"]').waitFor();
    assert.equal(await page.locator('[data-panel="usage"] .muted', { hasText: 'Loading…' }).count(), 1);
    release();
    await panelSource(page, 'usage');
    assert.equal(await page.locator('[data-panel="usage"]', { hasText: 'No usage in this range.' }).count(), 1);
    assert.equal(await page.locator('[data-panel="usage-table"]', { hasText: 'No usage in this range.' }).count(), 1);
    assert.equal(await page.locator('[data-panel="usage"] canvas').count(), 0);
    assert.equal(await page.locator('[data-usage-total]').count(), 0);
    await page.unroute('**/stats/usage?**');

    await page.route('**/stats/usage?**', (route) =>
      route.fulfill({ status: 500, json: { error: { message: 'the usage broke', type: 'server_error', code: null } } }),
    );
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
    await page.locator('[data-panel="usage"][data-state="error"]').waitFor();
    for (const panel of ['usage', 'usage-table']) {
      assert.equal(
        await page.locator(`[data-panel="${panel}"] .error-message`).textContent(),
        'Could not load the usage. HTTP 500: the usage broke',
      );
    }
    await page.getByRole('tab', { name: 'Overview' }).click();
    await panelSource(page, 'tiles');
    assert.deepEqual(errors.filter((e) => !e.includes('Failed to load resource')), []);
    await page.context().close();
  });

  it('is usable from the keyboard: every control in order, Enter and arrows change them', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
    await panelSource(page, 'usage');
    await page.getByRole('tab', { name: 'Usage' }).focus();
    const reached: string[] = [];
    for (let i = 0; i < 9; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return el.dataset.granularity ?? el.dataset.metric ?? (el.id || el.dataset.testid || el.textContent?.trim() || el.tagName);
      }));
    }
    assert.deepEqual(reached.slice(0, 8), ['day', 'week', 'month', 'usage-group-by', 'tokens', 'requests', 'cost', 'usage-csv']);
    assert.equal(reached[8], 'llama3.2', 'then the group names in the table');

    await page.locator('[data-granularity="week"]').focus();
    await page.keyboard.press('Enter');
    await panelSource(page, 'usage', (s) => queryOf(s).granularity === 'week');
    await page.locator('#usage-group-by').focus();
    await page.keyboard.press('ArrowDown');
    await panelSource(page, 'usage', (s) => queryOf(s).group_by === 'api_key_id');
    const keys = await svc.api<UsageAnswer>(await panelSource(page, 'usage'));
    assert.ok(keys.usage.some((r) => r.api_key_id === null), 'the history has no key');
    assert.ok((await tableRows(page)).some((r) => r[1] === NO_GROUP_LABEL));
    await page.locator('[data-metric="requests"]').focus();
    await page.keyboard.press(' ');
    assert.equal(await page.locator('[data-metric="requests"]').getAttribute('aria-pressed'), 'true');
    await page.context().close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`text keeps a contrast of at least 4.5:1 in the ${theme} theme`, async () => {
      const { page } = await openPage(browser, { colorScheme: theme });
      await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage&tag=team:red`);
      await panelSource(page, 'usage');
      const ratios = await contrasts(page, [
        '[data-granularity][aria-pressed="true"]', '[data-granularity][aria-pressed="false"]', '.usage-group-by label', '#usage-group-by',
        '[data-metric][aria-pressed="true"]', '[data-metric][aria-pressed="false"]', '.usage-range', '[data-usage-total] .tile-label',
        '[data-usage-total] .tile-value', '.usage-legend-title strong', '.usage-legend-title .muted', '.usage-legend-label',
        '.usage-legend-value', '[data-testid="usage-tag-note"]', '[data-testid="usage-csv"]', '.usage-table thead th', '.usage-table .usage-period',
        '.usage-table .link-button', '.usage-table td.num', '.usage-table tfoot td',
      ]);
      for (const [selector, ratio] of Object.entries(ratios)) assert.ok(ratio >= 4.5, `${theme} ${selector}: ${ratio.toFixed(2)}:1`);
      if (theme === 'dark') await screenshot(page, 'usage-dark');
      await page.context().close();
    });
  }

  it('works on a 480 px wide screen: nothing overflows the page, controls stay on screen, the table scrolls in its box', async () => {
    const { page, errors } = await openPage(browser, { viewport: { width: 480, height: 900 }, colorScheme: 'dark' });
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage`);
    await panelSource(page, 'usage');
    await page.locator('[data-panel="usage"] canvas').waitFor();
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 480);
    const outside = await page.evaluate(() =>
      [...document.querySelectorAll('.usage-controls button, .usage-controls select, [data-testid="usage-csv"], [data-panel="usage"] canvas')]
        .map((el) => el.getBoundingClientRect())
        .filter((r) => r.left < 0 || r.right > 480).length,
    );
    assert.equal(outside, 0, 'usage controls or chart off screen');
    const table = await page.evaluate(() => {
      const box = document.querySelector('[data-panel="usage-table"] .table-scroll')!;
      return { scroll: box.scrollWidth, client: box.clientWidth, overflow: getComputedStyle(box).overflowX };
    });
    assert.ok(table.scroll > table.client && table.overflow === 'auto', JSON.stringify(table));
    await screenshot(page, 'usage-mobile-dark');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  // Last: it adds history the tests above do not expect.
  it('more than 8 groups: the 8 largest by the metric shown, the rest as one "other" on top; the table keeps every group', async () => {
    const fiveDaysAgo = Date.now() - 5 * DAY;
    const extra = Array.from({ length: 10 }, (_, g) => pastRecords(fiveDaysAgo).slice(0, 10 - g).map((r) => ({ ...r, start_time: fiveDaysAgo + g * 1000, model: `extra-${g}` }))).flat();
    await svc.service.store.recordBatch(extra);
    const { page, errors } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/?live=off&tab=usage&metric=requests`);
    await page.waitForFunction((n) => document.querySelectorAll('[data-panel="usage-table"] tbody tr').length > n, 8);
    const source = await panelSource(page, 'usage');
    const answer = await svc.api<UsageAnswer>(source);
    assert.equal(new Set(answer.usage.map((r) => r.model)).size, 14, 'four models of the traffic, ten more');
    const stack = stackUsage(answer, 'model', 'requests');
    assert.equal(stack.series.length, 9);
    await page.waitForFunction((label) => document.querySelector('[data-chart="usage"] [role="img"]')?.getAttribute('aria-label') === label, describeUsageChart(stack, 'day', 'requests'));
    const shown = await legend(page);
    // llama3.2 15 (9 now, 6 in the history), extra-0 10, extra-1 9, qwen2.5:14b 9 (a tie: by name), extra-2 8 … extra-5 5;
    // the rest (extra-6 … extra-9, nomic-embed-text, broken-model) sum as other.
    assert.deepEqual(shown.slice(0, 8).map(([label]) => label), ['llama3.2', 'extra-0', 'extra-1', 'qwen2.5:14b', 'extra-2', 'extra-3', 'extra-4', 'extra-5']);
    assert.deepEqual(shown.slice(0, 8).map(([, v]) => v), ['15', '10', '9', '9', '8', '7', '6', '5']);
    assert.deepEqual(shown[8], ['other (6 groups)', formatMetric(stack.series[8]!.total, 'requests')]);
    const sum = shown.reduce((t, [, v]) => t + Number(v.replace(/,/g, '')), 0);
    assert.equal(sum, answer.totals.requests, 'nothing is lost in the cap');
    assert.deepEqual(await tableRows(page), expectedRows(answer));
    await screenshot(page, 'usage-other');
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
