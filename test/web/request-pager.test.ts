/**
 * Paging recent requests from one source or several merged (a model search): newest first, no
 * gaps or duplicates, at most one page fetched per source and page, and the model search itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecentPage } from '../../src/api/stats-shapes.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { firstPage, loadPage, matchModels, type FetchRecent, type PagerState } from '../../web/src/lib/request-pager.js';

const T0 = Date.UTC(2024, 0, 15, 12);

function row(id: number, model: string, secondsAgo: number): StoredRequest {
  return { id, model, start_time: new Date(T0 - secondsAgo * 1000).toISOString() } as StoredRequest;
}

/** A fake /stats/recent over fixed rows, newest first, with a cursor that is the row's index. */
function fakeRecent(rows: StoredRequest[]): { fetch: FetchRecent; calls: Array<{ model?: string; limit: number }> } {
  const ordered = [...rows].sort((a, b) => Date.parse(b.start_time) - Date.parse(a.start_time) || b.id - a.id);
  const calls: Array<{ model?: string; limit: number }> = [];
  const fetch: FetchRecent = async (model, cursor, limit) => {
    calls.push({ ...(model !== undefined ? { model } : {}), limit });
    const matching = ordered.filter((r) => model === undefined || r.model === model);
    const from = cursor === null ? 0 : Number(cursor);
    const page: RecentPage = {
      requests: matching.slice(from, from + limit),
      next_cursor: from + limit < matching.length ? String(from + limit) : null,
      partial: false,
      retained_from: null,
    };
    return page;
  };
  return { fetch, calls };
}

async function allPages(state: PagerState, size: number, fetch: FetchRecent): Promise<number[][]> {
  const pages: number[][] = [];
  let next: PagerState | null = state;
  while (next !== null) {
    const page = await loadPage(next, size, fetch);
    pages.push(page.rows.map((r) => r.id));
    next = page.next;
  }
  return pages;
}

describe('request pager', () => {
  it('one source: pages of the API in order, one request of exactly a page each', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => row(i + 1, 'm', 7 - i));
    const { fetch, calls } = fakeRecent(rows);
    assert.deepEqual(await allPages(firstPage([undefined]), 3, fetch), [[7, 6, 5], [4, 3, 2], [1]]);
    assert.deepEqual(calls, [{ limit: 3 }, { limit: 3 }, { limit: 3 }]);
  });

  it('no more pages after an exact fit; an empty source gives one empty page', async () => {
    const { fetch } = fakeRecent([row(1, 'm', 2), row(2, 'm', 1)]);
    const page = await loadPage(firstPage([undefined]), 2, fetch);
    assert.deepEqual(page.rows.map((r) => r.id), [2, 1]);
    assert.equal(page.next, null);
    const empty = await loadPage(firstPage([undefined]), 2, fakeRecent([]).fetch);
    assert.deepEqual(empty, { rows: [], next: null });
  });

  it('several sources merge newest first (ties: higher id first), without gaps or duplicates', async () => {
    const rows = [
      row(1, 'a', 10), row(2, 'b', 9), row(3, 'a', 8), row(4, 'c', 8), row(5, 'b', 5),
      row(6, 'a', 4), row(7, 'a', 3), row(8, 'b', 3), row(9, 'x', 2), row(10, 'a', 1),
    ];
    const { fetch } = fakeRecent(rows);
    const pages = await allPages(firstPage(['a', 'b', 'c']), 3, fetch);
    assert.deepEqual(pages, [[10, 8, 7], [6, 5, 4], [3, 2, 1]]);
    assert.ok(!pages.flat().includes(9), 'a model that was not asked for is not shown');
  });

  it('fetches at most one page per source per page, and only what its buffer lacks', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => row(i + 1, i % 2 === 0 ? 'a' : 'b', 12 - i));
    const { fetch, calls } = fakeRecent(rows);
    const first = await loadPage(firstPage(['a', 'b']), 4, fetch);
    assert.deepEqual(first.rows.map((r) => r.id), [12, 11, 10, 9]);
    assert.deepEqual(calls, [{ model: 'a', limit: 4 }, { model: 'b', limit: 4 }]);
    calls.length = 0;
    const second = await loadPage(first.next!, 4, fetch);
    assert.deepEqual(second.rows.map((r) => r.id), [8, 7, 6, 5]);
    // Each source kept 2 unshown rows from the first fetch, so it needs only 2 more.
    assert.deepEqual(calls, [{ model: 'a', limit: 2 }, { model: 'b', limit: 2 }]);
  });

  it('the same state loads the same page again (a refresh of an older page)', async () => {
    const rows = Array.from({ length: 9 }, (_, i) => row(i + 1, i % 3 === 0 ? 'a' : 'b', 9 - i));
    const { fetch } = fakeRecent(rows);
    const first = await loadPage(firstPage(['a', 'b']), 3, fetch);
    const again = await loadPage(first.next!, 3, fetch);
    const once = await loadPage(first.next!, 3, fetch);
    assert.deepEqual(again.rows.map((r) => r.id), once.rows.map((r) => r.id));
  });
});

describe('model search', () => {
  const MODELS = ['llama3.2', 'qwen2.5:14b', 'Llama-3.1-70B', null, 'llama'];
  it('matches a substring in any case, exact matches first, then in the given order', () => {
    assert.deepEqual(matchModels(MODELS, 'LLAMA'), ['llama', 'llama3.2', 'Llama-3.1-70B']);
    assert.deepEqual(matchModels(MODELS, ' qwen '), ['qwen2.5:14b']);
    assert.deepEqual(matchModels(MODELS, '3.1'), ['Llama-3.1-70B']);
  });
  it('nothing for an empty search or no match; null models never match', () => {
    assert.deepEqual(matchModels(MODELS, '  '), []);
    assert.deepEqual(matchModels(MODELS, 'mistral'), []);
    assert.deepEqual(matchModels(MODELS, 'null'), []);
  });
});
