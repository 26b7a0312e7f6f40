/** Reading the dashboard from a test: panels' state and source, tiles, the API requests it made. */
import type { Page } from 'playwright-core';

/** Paths and queries (`stats/summary?…`) of the admin API requests the page made, in order. */
export function recordApiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/stats/') || url.pathname.startsWith('/api/')) seen.push(`${url.pathname.slice(1)}${url.search}`);
  });
  return seen;
}

/**
 * Waits until a panel shows data (not loading, not failed) whose source path passes `accept`,
 * and returns that path: the API request behind what is on screen.
 */
export async function panelSource(page: Page, panel: string, accept: (source: string) => boolean = () => true): Promise<string> {
  const selector = `[data-panel="${panel}"][data-state="ready"]`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const source = await page.locator(selector).getAttribute('data-source', { timeout: 10_000 }).catch(() => null);
    if (source !== null && accept(source)) return source;
    if (Date.now() > deadline) throw new Error(`panel ${panel} never became ready with an accepted source (last: ${source})`);
    await page.waitForTimeout(50);
  }
}

export async function tileValues(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-tile]', (tiles) =>
    Object.fromEntries(tiles.map((t) => [t.getAttribute('data-tile'), t.querySelector('.tile-value')?.textContent ?? ''])),
  );
}

export async function tileChanges(page: Page): Promise<Record<string, string>> {
  return page.$$eval('[data-tile]', (tiles) =>
    Object.fromEntries(tiles.map((t) => [t.getAttribute('data-tile'), t.querySelector('.tile-change')?.textContent ?? ''])),
  );
}

/** The query parameters of an API path, as a plain object (repeated names: the last). */
export function queryOf(path: string): Record<string, string> {
  return Object.fromEntries(new URL(path, 'http://x/').searchParams);
}

/** Span of an API path's start/end in ms. */
export function spanOf(path: string): number {
  const q = queryOf(path);
  return Date.parse(q.end ?? '') - Date.parse(q.start ?? '');
}
