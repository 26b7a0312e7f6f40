/**
 * The retention note against the real service with RETENTION_DAYS=2 and USAGE_RETENTION_DAYS=6,
 * over a database seeded before it started (its first retention pass deletes the old rows): the
 * note appears only while an answer on screen is partial, names the setting and the moment, and
 * points to the Usage view, whose daily totals still count requests whose rows were deleted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SummaryAnswer, UsageAnswer } from '../../src/api/stats-shapes.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { openStore } from '../../src/store/open-store.js';
import { formatDateTime } from '../../web/src/lib/format.js';
import { formatUtcDate } from '../../web/src/lib/usage.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { contrasts } from './helpers/contrast.js';
import { panelSource, queryOf, tileChanges, tileValues } from './helpers/dashboard.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function record(start: number, model: string): RequestRecord {
  return {
    start_time: start, method: 'POST', endpoint: '/v1/chat/completions', model, response_model: null, status_code: 200, is_error: false,
    error_type: null, error_message: null, was_streamed: false, input_tokens: 40, output_tokens: 80, total_tokens: 120,
    cached_input_tokens: null, reasoning_tokens: null, usage_source: 'reported', ttft_ms: null, ttlt_ms: null, duration_ms: 700,
    tokens_per_second: 30, finish_reason: 'stop', message_count: 1, origin: null, api_key_id: null, user: 'carol', tags: {}, cost_usd: null,
  };
}

const note = (page: Page) => page.locator('[data-testid="retention-note"]');

describe('dashboard retention note', { timeout: 120_000 }, () => {
  let service: TestService;
  let browser: Browser;
  let dir: string;
  let retainedFrom: string;
  const now = Date.now();

  const api = async <T,>(path: string): Promise<T> => {
    const response = await fetch(new URL(path, `${service.adminUrl}/`));
    assert.equal(response.status, 200, path);
    return (await response.json()) as T;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lmp-e2e-retention-'));
    const dbPath = join(dir, 'metrics.db');
    const seed = openStore({ dbPath });
    await seed.recordBatch([
      ...[1, 2, 3, 4].map((i) => record(now - HOUR - i * 1000, 'llama3.2')), // kept
      ...[1, 2, 3].map((i) => record(now - 3.5 * DAY - i * 1000, 'llama3.2')), // rows deleted, daily totals kept
      ...[1, 2].map((i) => record(now - 10 * DAY - i * 1000, 'qwen2.5:14b')), // both deleted
    ]);
    await seed.close();
    service = await startTestService({ upstreamUrl: 'http://127.0.0.1:9', dbPath, retentionDays: 2, usageRetentionDays: 6 });
    // The first retention pass runs once the history is loaded.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const summary = await api<SummaryAnswer>('stats/summary');
      if (summary.retained_from !== null) {
        retainedFrom = summary.retained_from;
        break;
      }
      if (Date.now() > deadline) throw new Error('retention never ran');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('no note while the answers on screen start after the deleted rows (24 h)', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${service.adminUrl}/?live=off`);
    const source = await panelSource(page, 'tiles');
    await panelSource(page, 'charts');
    await panelSource(page, 'stream-split');
    assert.equal((await api<SummaryAnswer>(source)).partial, false);
    assert.ok(Math.abs(Date.parse(retainedFrom) - (now - 2 * DAY)) < 60_000, `rows before now − 2 days are gone: ${retainedFrom}`);
    assert.equal((await tileValues(page)).requests, '4');
    assert.equal(await note(page).count(), 0);
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('7 days: the note names the moment and RETENTION_DAYS, and leads to the Usage view, which counts the deleted rows', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${service.adminUrl}/?live=off&range=7d`);
    const source = await panelSource(page, 'tiles');
    assert.equal((await api<SummaryAnswer>(source)).partial, true);
    await note(page).waitFor();
    assert.equal(
      await note(page).textContent(),
      `Requests before ${formatDateTime(retainedFrom)} were deleted by retention (RETENTION_DAYS): these figures start there. ` +
        'The Usage view keeps exact daily totals for longer.',
    );
    assert.equal((await tileValues(page)).requests, '4', 'only the kept rows');
    assert.equal((await tileChanges(page)).requests, 'previous 7 days partly deleted', 'no change against a period retention emptied');
    await screenshot(page, 'usage-retention-note', false);

    // Back to 24 h: nothing partial on screen, no note.
    await page.locator('[data-range="24h"]').click();
    await panelSource(page, 'tiles', (s) => Date.parse(queryOf(s).end!) - Date.parse(queryOf(s).start!) === DAY);
    await note(page).waitFor({ state: 'detached' });
    await page.goBack();
    await note(page).waitFor();

    // The link: Usage, over the same 7 days (a chosen range is kept).
    await note(page).getByRole('button', { name: 'Usage view' }).click();
    const usage = await panelSource(page, 'usage');
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'usage');
    assert.equal(new URL(page.url()).searchParams.get('range'), '7d');
    const answer = await api<UsageAnswer>(usage);
    assert.equal(answer.partial, true, 'the 7 days start before the daily totals kept (6 days)');
    assert.equal(answer.totals.requests, 7, 'the 4 kept rows and the 3 of 3.5 days ago, from the daily totals');
    assert.equal(answer.usage_retained_from, new Date(Math.floor(now / DAY) * DAY - 6 * DAY).toISOString());
    await page.waitForFunction(() => document.querySelector('[data-testid="retention-note"]')?.textContent?.includes('USAGE_RETENTION_DAYS'));
    assert.equal(
      await note(page).textContent(),
      `Daily usage totals before ${formatUtcDate(Date.parse(answer.usage_retained_from!))} were deleted by retention (USAGE_RETENTION_DAYS): these figures start there.`,
    );
    assert.equal(await page.locator('[data-usage-total="requests"] dd').textContent(), '7');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  it('5 days: the overview is cut by RETENTION_DAYS, the Usage view is exact (no note) and counts more', async () => {
    const { page } = await openPage(browser);
    const from = new Date(Math.floor(now / DAY) * DAY - 5 * DAY).toISOString();
    const to = new Date(now + HOUR).toISOString();
    await page.goto(`${service.adminUrl}/?live=off&tab=usage&range=custom&from=${from}&to=${to}`);
    const usage = await panelSource(page, 'usage');
    assert.equal(queryOf(usage).start, from);
    const answer = await api<UsageAnswer>(usage);
    assert.equal(answer.partial, false);
    assert.equal(answer.totals.requests, 7);
    assert.equal(await note(page).count(), 0);

    await page.getByRole('tab', { name: 'Overview' }).click();
    await panelSource(page, 'tiles');
    await note(page).waitFor();
    assert.equal((await tileValues(page)).requests, '4');
    for (const [tab, panel] of [['Models', 'group-models'], ['Requests', 'requests']] as const) {
      await page.getByRole('tab', { name: tab }).click();
      await panelSource(page, panel);
      await note(page).waitFor();
      assert.match((await note(page).textContent())!, /RETENTION_DAYS\): these figures start there\./, tab);
    }
    await page.context().close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`the note keeps a contrast of at least 4.5:1 in the ${theme} theme`, async () => {
      const { page } = await openPage(browser, { colorScheme: theme });
      await page.goto(`${service.adminUrl}/?live=off&range=7d`);
      await note(page).waitFor();
      const ratios = await contrasts(page, ['[data-testid="retention-note"]', '[data-testid="retention-note"] .link-button']);
      for (const [selector, ratio] of Object.entries(ratios)) assert.ok(ratio >= 4.5, `${theme} ${selector}: ${ratio.toFixed(2)}:1`);
      await page.context().close();
    });
  }
});
