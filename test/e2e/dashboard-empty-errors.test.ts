/**
 * The empty state on an empty database (the proxy's address, curl and OpenAI SDK snippets) and
 * its replacement by the dashboard once traffic arrives; API failures shown where they happen;
 * the admin token sent with every request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { TILES } from '../../web/src/lib/tiles.js';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { panelSource, tileValues } from './helpers/dashboard.js';
import { startDashboardService, type DashboardService } from './helpers/traffic.js';

const FAILURE = { error: { message: 'the analytics index is on fire', type: 'server_error', code: 'internal_error' } };

describe('dashboard empty state, errors in place, admin token', { timeout: 120_000 }, () => {
  let svc: DashboardService;
  let browser: Browser;

  before(async () => {
    svc = await startDashboardService();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('an empty database shows the proxy URL with curl and SDK snippets, then live mode brings in the first request', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/`);
    const empty = page.locator('[data-panel="empty-state"]');
    await empty.getByText('No requests recorded yet').waitFor();
    const base = `${svc.service.proxyUrl}/v1`;
    assert.equal(await page.getByTestId('proxy-url').textContent(), base);
    const snippets = await empty.locator('figure.snippet').evaluateAll((figs) =>
      Object.fromEntries(figs.map((f) => [f.getAttribute('data-snippet'), f.querySelector('pre')?.textContent ?? ''])),
    );
    assert.deepEqual(Object.keys(snippets), ['curl', 'OpenAI SDK for Python', 'OpenAI SDK for Node.js']);
    assert.ok(snippets.curl!.startsWith(`curl ${base}/chat/completions`), snippets.curl);
    assert.ok(snippets['OpenAI SDK for Python']!.includes(`base_url="${base}"`));
    assert.ok(snippets['OpenAI SDK for Node.js']!.includes(`baseURL: '${base}'`));
    assert.equal(await page.getByRole('tab').count(), 0, 'no empty charts and tables');
    await screenshot(page, 'empty-state');

    const client = new OpenAI({ baseURL: base, apiKey: 'sk-first', maxRetries: 0 });
    await client.chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'Hello!' }] });
    await page.locator('[data-panel="tiles"][data-state="ready"]').waitFor({ timeout: 12_000 });
    await empty.waitFor({ state: 'detached' });
    assert.equal((await tileValues(page)).requests, '1');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('a failing endpoint shows its error in its own panel; the rest of the page works', async () => {
    const { page, errors } = await openPage(browser);
    await page.route('**/stats/timeseries**', (route) => route.fulfill({ status: 500, json: FAILURE }));
    await page.goto(`${svc.service.adminUrl}/?live=off`);
    const charts = page.locator('[data-panel="charts"][data-state="error"]');
    await charts.waitFor();
    assert.equal(
      await charts.getByRole('alert').textContent(),
      'Could not load the charts. HTTP 500: the analytics index is on fire',
    );
    const tiles = await panelSource(page, 'tiles');
    assert.equal(Object.keys(await tileValues(page)).length, TILES.length);
    assert.ok(tiles.startsWith('stats/summary'));
    await panelSource(page, 'stream-split');
    await screenshot(page, 'error-in-place');
    assert.ok(errors.every((e) => e.includes('500')), errors.join('\n'));
    await page.context().close();
  });

  it('an unreachable API and a failing breakdown say so in place', async () => {
    const { page } = await openPage(browser);
    await page.route('**/stats/by-model**', (route) => route.abort('connectionrefused'));
    await page.route('**/stats/by-streamed**', (route) => route.fulfill({ status: 502, body: '<html>Bad gateway</html>' }));
    await page.goto(`${svc.service.adminUrl}/?live=off`);
    const split = page.locator('[data-panel="stream-split"][data-state="error"]');
    await split.waitFor();
    assert.equal(await split.getByRole('alert').textContent(), 'Could not load the streamed / non-streamed split. HTTP 502');
    await page.getByRole('tab', { name: 'Models' }).click();
    const models = page.locator('[data-panel="group-models"][data-state="error"]');
    await models.waitFor();
    assert.match(await models.getByRole('alert').textContent() ?? '', /^Could not load models\. Cannot reach the admin API: /);
    await page.context().close();
  });

  it('the admin token from Settings is sent as a bearer token; a refusal says to set it', async () => {
    const { page } = await openPage(browser);
    const authorizations: Array<string | undefined> = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/stats/')) authorizations.push(r.headers().authorization);
    });
    await page.goto(`${svc.service.adminUrl}/?live=off`);
    await panelSource(page, 'tiles');
    assert.ok(authorizations.length > 0 && authorizations.every((a) => a === undefined), 'no token set: no header');

    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel('Admin token').fill('s3cret-token');
    await page.getByRole('button', { name: 'Save' }).click();
    assert.equal(await page.evaluate(() => localStorage.getItem('lmp.adminToken')), 's3cret-token');
    authorizations.length = 0;
    await page.route('**/stats/summary?**', (route) => route.fulfill({ status: 401, json: { error: { message: 'unauthorized' } } }));
    await page.getByRole('button', { name: 'Refresh', exact: true }).click();
    const tiles = page.locator('[data-panel="tiles"][data-state="error"]');
    await tiles.waitFor();
    assert.equal(
      await tiles.getByRole('alert').textContent(),
      'Could not load the summary. The admin API refused the request (HTTP 401): set the admin token in Settings.',
    );
    assert.ok(authorizations.length > 0 && authorizations.every((a) => a === 'Bearer s3cret-token'), String(authorizations));
    await page.context().close();
  });
});
