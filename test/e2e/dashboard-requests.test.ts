/**
 * The requests tab in a real browser: pages of /stats/recent (cursor paging, no gaps or
 * duplicates), filters, the text search on model names (one model, or several merged), and a
 * request's detail with every recorded field, opened from the table or from a link.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import type { RecentPage } from '../../src/api/stats-shapes.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { detailRows } from '../../web/src/lib/request-fields.js';
import { launchBrowser, openPage, screenshot, type BrowserPage } from './helpers/browser.js';
import { panelSource, queryOf, recordApiRequests } from './helpers/dashboard.js';
import { sendTraffic, startDashboardService, type DashboardService } from './helpers/traffic.js';

const EXTRA = 60; // more than a page (50)

describe('dashboard requests tab', { timeout: 120_000 }, () => {
  let svc: DashboardService;
  let browser: Browser;
  let tab: BrowserPage;
  let requests: string[];
  let total: number;

  before(async () => {
    svc = await startDashboardService();
    total = await sendTraffic(svc.service.proxyUrl);
    const client = new OpenAI({ baseURL: `${svc.service.proxyUrl}/v1`, apiKey: 'sk-paging', maxRetries: 0 });
    for (let i = 0; i < EXTRA; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => client.chat.completions.create({ model: 'tiny-model', messages: [{ role: 'user', content: 'x' }] })));
    }
    total += EXTRA;
    await svc.service.rows(total);
    browser = await launchBrowser();
    tab = await openPage(browser);
    requests = recordApiRequests(tab.page);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  const shownIds = () => tab.page.locator('[data-panel="requests"] tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-request-id'))));

  it('pages through /stats/recent 50 at a time with its cursor, newest first', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=requests`);
    const first = await panelSource(tab.page, 'requests');
    assert.match(first, /^stats\/recent\?start=[^&]+&end=[^&]+&limit=50$/);
    const page1 = await svc.api<RecentPage>(first);
    assert.deepEqual(await shownIds(), page1.requests.map((r) => r.id));
    assert.equal(page1.requests.length, 50);
    const cell = (id: number, column: string) => tab.page.locator(`tr[data-request-id="${id}"] td[data-column="${column}"]`).textContent();
    const newest = page1.requests[0]!;
    assert.equal(await cell(newest.id, 'model'), newest.model);
    assert.equal(await cell(newest.id, 'endpoint'), newest.endpoint);
    await screenshot(tab.page, 'requests', false); // the first rows; the page is 50 long

    await tab.page.getByRole('button', { name: 'Older →' }).click();
    const second = await panelSource(tab.page, 'requests', (s) => s.includes('cursor='));
    assert.equal(queryOf(second).cursor, page1.next_cursor);
    const page2 = await svc.api<RecentPage>(second);
    assert.deepEqual(await shownIds(), page2.requests.map((r) => r.id));
    assert.equal(await tab.page.locator('.pager-page').textContent(), 'Page 2');
    const all = [...page1.requests, ...page2.requests].map((r) => r.id);
    assert.equal(new Set(all).size, total, 'both pages together: every request once');
    assert.equal(await tab.page.getByRole('button', { name: 'Older →' }).isDisabled(), true);

    await tab.page.getByRole('button', { name: '← Newer' }).click();
    await panelSource(tab.page, 'requests', (s) => !s.includes('cursor='));
    assert.deepEqual(await shownIds(), page1.requests.map((r) => r.id));
  });

  it('filters apply to the table: errors only', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=requests&status=error`);
    const source = await panelSource(tab.page, 'requests');
    assert.equal(queryOf(source).status, 'error');
    const page = await svc.api<RecentPage>(source);
    assert.equal(page.requests.length, 2);
    assert.deepEqual(await shownIds(), page.requests.map((r) => r.id));
    assert.equal(await tab.page.locator('td[data-column="status"]').first().textContent(), '500 upstream_status');
  });

  it('text search on model: one match filters by that model exactly', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=requests`);
    await panelSource(tab.page, 'requests');
    await tab.page.getByLabel('Search models').fill('QWEN');
    await tab.page.getByRole('button', { name: 'Search', exact: true }).click();
    const source = await panelSource(tab.page, 'requests', (s) => s.includes('model='));
    assert.equal(queryOf(source).model, 'qwen2.5:14b');
    assert.ok(requests.some((r) => r.startsWith('stats/by-model?')), 'the search is matched against the aggregated model list');
    const page = await svc.api<RecentPage>(source);
    assert.equal(page.requests.length, 5);
    assert.deepEqual(await shownIds(), page.requests.map((r) => r.id));
    assert.equal(new URL(tab.page.url()).searchParams.get('q'), 'QWEN');
  });

  it('text search on model: several matches merge their requests, newest first, paged', async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=requests&q=model`);
    const source = await panelSource(tab.page, 'requests', (s) => s.split(' ').length === 2);
    const [a, b] = source.split(' ').map((s) => queryOf(s).model).sort();
    assert.deepEqual([a, b], ['broken-model', 'tiny-model']);
    assert.match(await tab.page.locator('[data-panel="requests"] .note').textContent() ?? '', /Requests of 2 models matching “model”/);
    const expected = [
      ...(await svc.api<RecentPage>('stats/recent?model=tiny-model&limit=1000')).requests,
      ...(await svc.api<RecentPage>('stats/recent?model=broken-model&limit=1000')).requests,
    ].sort((x, y) => Date.parse(y.start_time) - Date.parse(x.start_time) || y.id - x.id).map((r) => r.id);
    assert.equal(expected.length, 62);
    const page1 = await shownIds();
    await tab.page.getByRole('button', { name: 'Older →' }).click();
    await panelSource(tab.page, 'requests', (s) => s.includes('cursor='));
    assert.deepEqual([...page1, ...(await shownIds())], expected);
  });

  it("a row opens the request's detail with every recorded field; the link reopens it; Escape closes", async () => {
    await tab.page.goto(`${svc.service.adminUrl}/?live=off&tab=requests&model=llama3.2&streamed=true`);
    const source = await panelSource(tab.page, 'requests');
    const first = (await svc.api<RecentPage>(source)).requests[0]!;
    await tab.page.locator(`tr[data-request-id="${first.id}"] button`).click();
    const dialog = tab.page.locator('dialog.detail-dialog[data-state="ready"]');
    await dialog.waitFor();
    assert.equal(new URL(tab.page.url()).searchParams.get('request'), String(first.id));

    const detail = await svc.api<StoredRequest>(`stats/requests/${first.id}`);
    const fields = await dialog.locator('[data-field]').evaluateAll((els) =>
      els.map((el) => [el.getAttribute('data-field'), el.querySelector('dd')?.textContent ?? '']),
    );
    assert.deepEqual(fields.map(([f]) => f), Object.keys(detail), 'every field the API recorded');
    assert.deepEqual(fields, detailRows(detail).map((r) => [r.field, r.value]));
    assert.equal(detail.was_streamed, true);
    assert.notEqual(detail.ttft_ms, null);
    await screenshot(tab.page, 'request-detail');

    await tab.page.reload();
    await tab.page.locator('dialog.detail-dialog[data-state="ready"]').waitFor();
    assert.equal(await tab.page.locator('#detail-title').textContent(), `Request ${first.id}`);
    await tab.page.keyboard.press('Escape');
    await tab.page.locator('dialog.detail-dialog').waitFor({ state: 'detached' });
    assert.equal(new URL(tab.page.url()).searchParams.get('request'), null);
    assert.deepEqual(tab.errors, []);
  });
});
