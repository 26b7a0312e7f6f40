/** The reads a link starts with (read ahead by the page's entry) and taking them once. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { overviewPaths, PROBE_PATH, recentPath, requestPath, statsPath } from '../../web/src/lib/api-query.js';
import { firstReads } from '../../web/src/lib/first-reads.js';
import {
  PREFETCH_FRESH_MS, prefetch, readJson, setBootTime, takeBootTime, takePrefetched,
} from '../../web/src/lib/prefetch.js';
import { parseState } from '../../web/src/lib/url-state.js';
import { usagePath } from '../../web/src/lib/usage.js';

const NOW = Date.UTC(2024, 0, 15, 12);
const DAY = 86_400_000;
const NO_FILTERS = { tags: [] };

describe('firstReads', () => {
  it('the default overview: probe, summary, previous period, split, charts over the last 24 h', () => {
    const window = { start: NOW - DAY, end: NOW };
    const paths = overviewPaths(window, NO_FILTERS);
    assert.deepEqual(firstReads(parseState(''), NOW), [
      PROBE_PATH, paths.current, paths.previous, paths.split, statsPath('timeseries', window, NO_FILTERS),
    ]);
    assert.equal(paths.split, statsPath('by-streamed', window, NO_FILTERS));
    assert.equal(paths.previous, statsPath('summary', { start: NOW - 2 * DAY, end: NOW - DAY }, NO_FILTERS));
  });

  it('filters and a custom range go into every path', () => {
    const state = parseState(`range=custom&from=${NOW - 3_600_000}&to=${NOW}&model=m&tag=team:red`);
    const paths = firstReads(state, NOW);
    assert.equal(paths.length, 5);
    for (const path of paths.slice(1)) assert.ok(path.includes('model=m') && path.includes('tag=team%3Ared'), path);
  });

  it('all time: no previous period; the charts start at the oldest request (start=first)', () => {
    assert.deepEqual(firstReads(parseState('range=all'), NOW), [
      PROBE_PATH, 'stats/summary', 'stats/by-streamed', 'stats/timeseries?start=first',
    ]);
    assert.deepEqual(firstReads(parseState('range=all&model=m'), NOW).at(-1), 'stats/timeseries?model=m&start=first');
  });

  it('a breakdown tab reads its by-* endpoint; an open request its detail', () => {
    const window = { start: NOW - 30 * DAY, end: NOW };
    assert.deepEqual(firstReads(parseState('tab=users&range=30d'), NOW), [PROBE_PATH, statsPath('by-user', window, NO_FILTERS)]);
    assert.deepEqual(firstReads(parseState('tab=models&request=42'), NOW).slice(0, 2), [PROBE_PATH, requestPath(42)]);
  });

  it('usage: one /stats/usage read over whole days of the last 30 days (its default), without tags', () => {
    const window = { start: NOW - 30 * DAY, end: NOW };
    const settings = { granularity: 'day', groupBy: 'model', metric: 'tokens' } as const;
    const paths = firstReads(parseState('tab=usage&tag=team:red&user=u'), NOW);
    assert.deepEqual(paths, [PROBE_PATH, usagePath(window, { user: 'u', tags: [] }, settings)]);
    assert.equal(paths[1], 'stats/usage?start=2023-12-16T00%3A00%3A00.000Z&end=2024-01-15T12%3A00%3A00.000Z&user=u&granularity=day&group_by=model');
    assert.deepEqual(firstReads(parseState('tab=usage&range=all&granularity=month&group_by=none'), NOW), [PROBE_PATH, 'stats/usage?granularity=month']);
  });

  it('requests: the first page, or the models of the range when searching (unless a model is set)', () => {
    const window = { start: NOW - DAY, end: NOW };
    assert.deepEqual(firstReads(parseState('tab=requests'), NOW), [PROBE_PATH, recentPath(window, NO_FILTERS, 50, null)]);
    assert.deepEqual(firstReads(parseState('tab=requests&q=lla'), NOW), [PROBE_PATH, statsPath('by-model', window, NO_FILTERS)]);
    const both = firstReads(parseState('tab=requests&q=lla&model=m'), NOW);
    assert.deepEqual(both, [PROBE_PATH, recentPath(window, { model: 'm', tags: [] }, 50, null)]);
  });
});

describe('prefetch', () => {
  const realFetch = globalThis.fetch;
  let asked: string[];
  beforeEach(() => {
    asked = [];
    globalThis.fetch = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ url }), { headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('an answer read ahead is taken once, by the same token, while fresh', async () => {
    prefetch('stats/a', 'tok', 1000);
    assert.equal(takePrefetched('stats/a', 'other', 1000), undefined, 'another token');
    assert.equal(takePrefetched('stats/a', 'tok', 1000), undefined, 'gone after a refused take');
    prefetch('stats/b', '', 1000);
    assert.equal(takePrefetched('stats/b', '', 1000 + PREFETCH_FRESH_MS + 1), undefined, 'stale');
    prefetch('stats/c', '', 1000);
    assert.deepEqual(await takePrefetched('stats/c', '', 1500), { url: 'stats/c' });
    assert.equal(takePrefetched('stats/c', '', 1500), undefined, 'taken already');
  });

  it('readJson uses the answer on its way instead of asking again, and honours an abort', async () => {
    prefetch('stats/d', '');
    prefetch('stats/e', '');
    assert.deepEqual(asked, ['stats/d', 'stats/e']);
    assert.deepEqual(await readJson('stats/d'), { url: 'stats/d' });
    assert.deepEqual(asked, ['stats/d', 'stats/e'], 'no second request');
    assert.deepEqual(await readJson('stats/d'), { url: 'stats/d' });
    assert.deepEqual(asked, ['stats/d', 'stats/e', 'stats/d'], 'once taken, a read asks anew');
    const controller = new AbortController();
    const read = readJson('stats/e', { signal: controller.signal });
    controller.abort();
    await assert.rejects(read, { name: 'AbortError' });
    assert.deepEqual(await readJson('stats/e'), { url: 'stats/e' }, 'an aborted reader put the answer back');
    assert.deepEqual(asked, ['stats/d', 'stats/e', 'stats/d'], 'still no second request for it');
  });

  it('a failed read ahead reaches its taker, never an unhandled rejection', async () => {
    globalThis.fetch = (async () => new Response('{"error":{"message":"boom"}}', { status: 500 })) as typeof fetch;
    prefetch('stats/f', '');
    await new Promise((resolve) => setTimeout(resolve, 10));
    await assert.rejects(readJson('stats/f'), { name: 'ApiError', message: 'HTTP 500: boom' });
  });

  it('the boot time is handed to the clock once', () => {
    assert.equal(takeBootTime(), null);
    setBootTime(NOW);
    assert.equal(takeBootTime(), NOW);
    assert.equal(takeBootTime(), null);
  });
});
