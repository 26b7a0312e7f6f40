/**
 * `/stats/recent` paging (offset and cursor, with rows arriving between pages) and
 * `/stats/requests/:id`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import { makeRecord } from '../contract/records.js';
import {
  NOT_PARTIAL,
  type Api, DAY0, generateRecords, paramError, refRecentIds, startApi,
} from '../helpers/analytics-harness.js';

interface Page {
  requests: Array<{ id: number; start_time: string }>;
  next_cursor: string | null;
}

async function walkOffset(api: Api, limit: number, query = ''): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const { status, body } = (await api.get(`/stats/recent?limit=${limit}&offset=${offset}${query}`)) as { status: number; body: Page };
    assert.equal(status, 200);
    ids.push(...body.requests.map((r) => r.id));
    if (body.requests.length < limit) return ids;
  }
}

async function walkCursor(api: Api, limit: number, query = '', between?: (page: number) => Promise<void>): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let page = 0; ; page++) {
    const url: string = `/stats/recent?limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}${query}`;
    const { status, body } = (await api.get(url)) as { status: number; body: Page };
    assert.equal(status, 200);
    assert.ok(body.requests.length <= limit);
    ids.push(...body.requests.map((r) => r.id));
    if (body.next_cursor === null) return ids;
    assert.equal(body.requests.length, limit, 'only a full page has a next cursor');
    cursor = body.next_cursor;
    await between?.(page);
  }
}

const noDuplicates = (ids: number[]): void => assert.equal(new Set(ids).size, ids.length, 'no duplicates');

describe('/stats/recent paging', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(250, 5));
  });
  after(() => api.close());

  it('the data has rows sharing a start_time, not in id order', () => {
    const times = api.rows.map((r) => r.record.start_time);
    assert.ok(new Set(times).size < times.length);
    assert.notDeepEqual(refRecentIds(api.rows), api.rows.map((r) => r.id).reverse());
  });

  it('defaults: 100 newest rows and a cursor', async () => {
    const { body } = (await api.get('/stats/recent')) as { body: Page };
    assert.deepEqual(body.requests.map((r) => r.id), refRecentIds(api.rows).slice(0, 100));
    const last = body.requests[99]!;
    assert.equal(body.next_cursor, Buffer.from(`${Date.parse(last.start_time)}:${last.id}`).toString('base64url'));
  });

  for (const limit of [1, 7, 50, 250, 1000]) {
    it(`offset paging by ${limit} covers every row once, in order`, async () => {
      const ids = await walkOffset(api, limit);
      noDuplicates(ids);
      assert.deepEqual(ids, refRecentIds(api.rows));
    });
    it(`cursor paging by ${limit} covers every row once, in order`, async () => {
      const ids = await walkCursor(api, limit);
      noDuplicates(ids);
      assert.deepEqual(ids, refRecentIds(api.rows));
    });
  }

  it('paging with filters', async () => {
    const filter: StatsFilter = { model: 'model-a', status: 'success', tags: [['team', 'red']] };
    const query = '&model=model-a&status=success&tag=team:red';
    const expected = refRecentIds(api.rows, filter);
    assert.ok(expected.length > 10);
    assert.deepEqual(await walkOffset(api, 4, query), expected);
    assert.deepEqual(await walkCursor(api, 4, query), expected);
    // A page holding exactly the last rows has no next cursor.
    const exact = (await api.get(`/stats/recent?limit=${expected.length}${query}`)).body as Page;
    assert.equal(exact.requests.length, expected.length);
    assert.equal(exact.next_cursor, null);
  });

  it('offset past the end: no rows, no cursor', async () => {
    assert.deepEqual((await api.get('/stats/recent?offset=250')).body, { requests: [], next_cursor: null, ...NOT_PARTIAL });
  });

  describe('validation', () => {
    const cursorError = (raw: string) =>
      paramError('cursor', `cursor must be a next_cursor value from a previous response, got ${JSON.stringify(raw)}`);
    const b64 = (s: string): string => Buffer.from(s).toString('base64url');
    for (const bad of [
      'abc!', '', 'a', b64('x:y'), b64('1:2:3'), b64('1705320000000'), b64('1705320000000:'), b64(':5'),
      b64('1705320000000:5') + '=', b64(' 1:2'), b64('1.5:2'), b64('1:-2'), b64('99999999999999999:1'), 'x'.repeat(65),
    ]) {
      it(`cursor=${JSON.stringify(bad)} → 400`, async () => {
        assert.deepEqual(await api.get(`/stats/recent?cursor=${encodeURIComponent(bad)}`), cursorError(bad));
      });
    }
    for (const bad of ['-1', '1.5', 'abc', '', '1e3', '+1', '99999999999999999']) {
      it(`offset=${JSON.stringify(bad)} → 400`, async () => {
        assert.deepEqual(
          await api.get(`/stats/recent?offset=${encodeURIComponent(bad)}`),
          paramError('offset', `offset must be an integer of 0 or more, got ${JSON.stringify(bad)}`),
        );
      });
    }
    it('offset and cursor together → 400', async () => {
      assert.deepEqual(
        await api.get(`/stats/recent?offset=0&cursor=${b64(`${DAY0}:1`)}`),
        paramError('cursor', 'cursor and offset cannot be used together; page with one or the other'),
      );
    });
    it('limit keeps its strict validation', async () => {
      assert.deepEqual(
        await api.get('/stats/recent?limit=1001'),
        paramError('limit', 'limit must be an integer from 1 to 1000, got "1001"'),
      );
    });
    it('a well-formed cursor naming no row pages from that position', async () => {
      const before = { start_time: DAY0 + 12 * 3_600_000, id: 1_000_000 };
      const ids = (await api.get(`/stats/recent?limit=1000&cursor=${b64(`${before.start_time}:${before.id}`)}`)).body.requests.map(
        (r: { id: number }) => r.id,
      );
      assert.deepEqual(ids, refRecentIds(api.rows, { end: before.start_time + 1 }));
    });
  });
});

describe('/stats/recent cursor paging while rows arrive', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(120, 11));
  });
  after(() => api.close());

  it('newer rows do not shift later pages; older rows are picked up in their place', async () => {
    const original = refRecentIds(api.rows);
    const older: number[] = [];
    const ids = await walkCursor(api, 10, '', async (page) => {
      // Newer than everything: must not appear in later pages.
      await api.add([makeRecord({ start_time: DAY0 + 48 * 3_600_000 + page }), makeRecord({ start_time: DAY0 + 30 * 3_600_000 })]);
      if (page === 3) {
        // Older than everything: belongs at the end of the walk.
        const added = await api.add([makeRecord({ start_time: DAY0 - 5000 }), makeRecord({ start_time: DAY0 - 1000 })]);
        older.push(added[1]!.id, added[0]!.id);
      }
    });
    noDuplicates(ids);
    assert.deepEqual(ids, [...original, ...older]);
  });

  it('a row sharing the cursor row\'s start_time with a higher id counts as newer', async () => {
    const first = (await api.get('/stats/recent?limit=5&model=model-b')).body as Page;
    const last = first.requests[4]!;
    const [twin] = await api.add([makeRecord({ start_time: Date.parse(last.start_time), model: 'model-b' })]);
    const next = (await api.get(`/stats/recent?limit=1000&model=model-b&cursor=${first.next_cursor}`)).body as Page;
    assert.ok(!next.requests.some((r) => r.id === twin!.id));
    assert.deepEqual(
      [...first.requests, ...next.requests].map((r) => r.id),
      refRecentIds(api.rows, { model: 'model-b' }).filter((id) => id !== twin!.id),
    );
  });

  it('offset paging, by contrast, repeats a row when one arrives between pages', async () => {
    const page1 = (await api.get('/stats/recent?limit=5&offset=0')).body as Page;
    await api.add([makeRecord({ start_time: DAY0 + 72 * 3_600_000 })]);
    const page2 = (await api.get('/stats/recent?limit=5&offset=5')).body as Page;
    assert.equal(page2.requests[0]!.id, page1.requests[4]!.id);
  });
});

describe('/stats/requests/:id', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(30, 3));
  });
  after(() => api.close());

  it('returns the full stored request', async () => {
    for (const { id, record } of [api.rows[0]!, api.rows[3]!, api.rows[29]!]) {
      const { status, body } = await api.get(`/stats/requests/${id}`);
      assert.equal(status, 200);
      assert.deepEqual(body, { ...record, id, start_time: new Date(record.start_time).toISOString() });
    }
    assert.ok(api.rows.some((r) => Object.keys(r.record.tags).length > 1));
    const tagged = api.rows.find((r) => r.record.tags.note === 'a:b')!;
    assert.deepEqual((await api.get(`/stats/requests/${tagged.id}`)).body.tags, tagged.record.tags);
  });

  for (const id of ['0', '31', '9007199254740991', '0031']) {
    it(`id ${id} absent → 404 JSON`, async () => {
      assert.deepEqual(await api.get(`/stats/requests/${id}`), {
        status: 404,
        body: { error: { message: `no request with id ${Number(id)}`, type: 'invalid_request_error', code: 'not_found', param: 'id' } },
      });
    });
  }

  for (const bad of ['abc', '1.5', '-1', '1e3', '%201', '0x1F', '99999999999999999']) {
    it(`id ${bad} → 400`, async () => {
      const raw = decodeURIComponent(bad);
      assert.deepEqual(await api.get(`/stats/requests/${bad}`), paramError('id', `id must be a non-negative integer, got ${JSON.stringify(raw)}`));
    });
  }

  it('/stats/requests and /stats/requests/1/x are not routes', async () => {
    assert.equal((await api.get('/stats/requests')).status, 404);
    assert.equal((await api.get('/stats/requests/1/x')).status, 404);
  });
});
