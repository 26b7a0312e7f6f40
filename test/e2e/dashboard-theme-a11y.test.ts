/**
 * Themes (system, then a manual choice kept in localStorage), readable contrast in both, keyboard
 * use, and a 480 px wide screen, in a real browser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { contrasts } from './helpers/contrast.js';
import { panelSource, queryOf } from './helpers/dashboard.js';
import { startServiceWithHistory, type DashboardService } from './helpers/traffic.js';

/** The page background's luminance (0 black … 1 white). */
async function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g)!.map(Number);
    return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
  });
}

const TEXT_ON_BACKGROUNDS = [
  'h1', '.updated', '[data-range][aria-pressed="true"]', '[data-range][aria-pressed="false"]', '[role="tab"][aria-selected="true"]',
  '[role="tab"][aria-selected="false"]', '.tile-label', '.tile-value', '.tile-change .muted', '.tile-change.tone-good',
  '.tile-change.tone-bad', '.split-table th', '.split-table td', '.error-message',
];

describe('dashboard themes, contrast, keyboard and narrow screens', { timeout: 120_000 }, () => {
  let svc: DashboardService;
  let browser: Browser;

  before(async () => {
    // A previous period to compare with: tiles get better (faster) and worse (more errors) tones.
    ({ svc } = await startServiceWithHistory());
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
  });

  it('follows the system theme; a manual choice wins, is kept in localStorage and survives a reload', async () => {
    const { page, errors } = await openPage(browser, { colorScheme: 'dark' });
    await page.goto(`${svc.service.adminUrl}/?live=off`);
    await panelSource(page, 'tiles');
    assert.equal(await page.locator('#theme-select').inputValue(), 'system');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.ok((await backgroundLuminance(page)) < 0.2, 'dark system: dark page');

    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    assert.ok((await backgroundLuminance(page)) > 0.8, 'the system turned light: so does the page');

    await page.locator('#theme-select').selectOption('dark');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.ok((await backgroundLuminance(page)) < 0.2, 'dark chosen over a light system');
    assert.equal(await page.evaluate(() => localStorage.getItem('lmp.theme')), 'dark');
    await page.reload();
    await panelSource(page, 'tiles');
    assert.equal(await page.locator('#theme-select').inputValue(), 'dark');
    assert.ok((await backgroundLuminance(page)) < 0.2, 'still dark after a reload');
    await screenshot(page, 'overview-dark');

    await page.locator('#theme-select').selectOption('light');
    assert.ok((await backgroundLuminance(page)) > 0.8);
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light', 'a choice ignores the system');
    await page.locator('#theme-select').selectOption('system');
    assert.equal(await page.evaluate(() => localStorage.getItem('lmp.theme')), null);
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    assert.deepEqual(errors, []);
    await page.context().close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`text keeps a contrast of at least 4.5:1 in the ${theme} theme`, async () => {
      const { page } = await openPage(browser, { colorScheme: theme });
      // One failing panel, to measure the error message too.
      await page.route('**/stats/timeseries**', (route) => route.fulfill({ status: 500, json: { error: { message: 'x' } } }));
      await page.goto(`${svc.service.adminUrl}/?live=off`);
      await panelSource(page, 'tiles');
      await page.locator('[data-panel="stream-split"][data-state="ready"]').waitFor();
      await page.locator('.error-message').waitFor();
      const ratios = await contrasts(page, TEXT_ON_BACKGROUNDS);
      for (const [selector, ratio] of Object.entries(ratios)) assert.ok(ratio >= 4.5, `${theme} ${selector}: ${ratio.toFixed(2)}:1`);
      await page.goto(`${svc.service.adminUrl}/?live=off&tab=requests`);
      await panelSource(page, 'requests');
      const table = await contrasts(page, ['.request-table .link-button', '.badge-ok', '.badge-error', 'thead th', '.request-table td']);
      for (const [selector, ratio] of Object.entries(table)) assert.ok(ratio >= 4.5, `${theme} ${selector}: ${ratio.toFixed(2)}:1`);
      await page.context().close();
    });
  }

  it('is usable from the keyboard: every control is reachable, tabs follow the arrow keys, Enter filters', async () => {
    const { page } = await openPage(browser);
    await page.goto(`${svc.service.adminUrl}/?live=off`);
    await panelSource(page, 'tiles');
    const reached: string[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      reached.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement;
          return el.getAttribute('data-range') || el.getAttribute('role') || el.id || el.textContent?.trim() || el.tagName;
        }),
      );
    }
    for (const control of ['15m', '1h', '24h', 'all', 'custom', 'theme-select', 'Settings', 'Refresh', 'tab']) {
      assert.ok(reached.some((r) => r === control || r.includes(control)), `${control} not reached: ${reached.join(' | ')}`);
    }
    assert.equal(reached[0], 'Skip to the dashboard');
    assert.equal(reached.filter((r) => r === 'tab').length, 1, 'one stop for the tab list (roving tabindex)');

    await page.getByRole('tab', { name: 'Overview' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'Models' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Models');
    await panelSource(page, 'group-models');
    await page.keyboard.press('End');
    assert.equal(await page.getByRole('tab', { name: 'Requests' }).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await panelSource(page, 'group-models');
    await page.getByRole('button', { name: 'llama3.2', exact: true }).focus();
    await page.keyboard.press('Enter');
    const source = await panelSource(page, 'tiles', (s) => queryOf(s).model === 'llama3.2');
    assert.ok(source);
    await page.context().close();
  });

  it('works on a 480 px wide screen: nothing overflows the page, controls stay on screen', async () => {
    const { page, errors } = await openPage(browser, { viewport: { width: 480, height: 900 }, colorScheme: 'dark' });
    for (const [view, panel] of [['', 'charts'], ['tab=models', 'group-models'], ['tab=requests', 'requests']] as const) {
      await page.goto(`${svc.service.adminUrl}/?live=off&${view}`);
      await panelSource(page, panel);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 480, `${view || 'overview'}: page is ${width} px wide`);
      const outside = await page.evaluate(() =>
        [...document.querySelectorAll('.app-header button, .app-header select, .filter-bar button')]
          .map((el) => el.getBoundingClientRect())
          .filter((r) => r.left < 0 || r.right > 480).length,
      );
      assert.equal(outside, 0, `${view || 'overview'}: header controls off screen`);
      if (view === '') await screenshot(page, 'mobile-overview');
    }
    // Wide tables scroll inside their own box.
    const table = await page.evaluate(() => {
      const box = document.querySelector('.table-scroll')!;
      return { scroll: box.scrollWidth, client: box.clientWidth, overflow: getComputedStyle(box).overflowX };
    });
    assert.ok(table.scroll > table.client && table.overflow === 'auto', JSON.stringify(table));
    assert.deepEqual(errors, []);
    await page.context().close();
  });
});
