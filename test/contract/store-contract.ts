/**
 * The behaviour every `Store` adapter must have. An adapter's test file calls `storeContract` once
 * with a function that opens a fresh, empty store (or reopens an existing one, given its location).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import { COMPLETION_ENDPOINTS } from '../../src/domain/endpoints.js';
import { StoreWriteError } from '../../src/errors.js';
import type { RequestRecord, StoredRequest } from '../../src/domain/request-record.js';
import type { RecentQuery, Store } from '../../src/store/types.js';
import { makeFailedRecord, makeRecord, NO_SHAPE_FIELDS } from './records.js';

export interface OpenedStore {
  store: Store;
  /** Where the data lives (a file path, a schema name…): pass it back to `open` to reopen the same data. */
  location: string;
  /**
   * Closes the store if still open and deletes the data at `location`. Must tolerate a store that
   * was already closed and a location that another handle already removed.
   */
  cleanup(): Promise<void>;
}

/** No argument: a new, empty location. With a location: open the data that is already there. */
export type OpenStore = (location?: string) => Promise<OpenedStore>;

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 0);

/** More than any test writes: "everything". */
const ALL = 100_000;

export function storeContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    /** Every row, newest first, optionally filtered. */
    const recent = (filter: StatsFilter = {}, extra: Partial<RecentQuery> = {}): Promise<StoredRequest[]> =>
      store.recent({ filter, limit: ALL, ...extra });

    /** Every record in id order: the ids of a batch are in the batch's order. */
    const scanAll = async (): Promise<Array<{ id: number; record: RequestRecord }>> => store.scan(0, ALL);

    describe('round trip', () => {
      const full = makeRecord({
        start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 987),
        method: 'POST',
        endpoint: '/v1/chat/completions',
        model: 'llama-3.1-8b-instruct',
        response_model: 'llama-3.1-8b-instruct-q4',
        status_code: 503,
        is_error: true,
        error_type: 'upstream_status',
        error_message: 'upstream said: "nope" — ✗\nsecond line',
        was_streamed: true,
        input_tokens: 123456,
        output_tokens: 7890,
        total_tokens: 131346,
        cached_input_tokens: 100000,
        reasoning_tokens: 512,
        usage_source: 'reported',
        ttft_ms: 12.75,
        ttlt_ms: 1200.125,
        duration_ms: 1234.5,
        tokens_per_second: 42.123456789,
        finish_reason: 'length',
        message_count: 7,
        origin: 'https://chat.example.com',
        api_key_id: 'key_0123456789abcdef',
        user: 'alice@example.com',
        tags: { team: 'red', env: 'prod', 'project-ß': 'Ünïcødé ✓', empty: '', 'with space': "it's \"quoted\"" },
        cost_usd: 0.000123456789,
        cache_creation_input_tokens: 4096,
        tool_calls: 2,
        backend_prompt_ms: 12.345,
        backend_generation_ms: 987.654,
        backend_tokens_per_second: 41.5,
        backend_load_ms: 0.25,
        backend_total_ms: 1000.5,
      });
      const allNull: RequestRecord = {
        start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 986),
        method: 'GET',
        endpoint: '/v1/models',
        model: null,
        response_model: null,
        status_code: null,
        is_error: false,
        error_type: null,
        error_message: null,
        was_streamed: false,
        input_tokens: null,
        output_tokens: null,
        total_tokens: null,
        cached_input_tokens: null,
        reasoning_tokens: null,
        usage_source: 'none',
        ttft_ms: null,
        ttlt_ms: null,
        duration_ms: 0,
        tokens_per_second: null,
        finish_reason: null,
        message_count: null,
        origin: null,
        api_key_id: null,
        user: null,
        tags: {},
        cost_usd: null,
        ...NO_SHAPE_FIELDS,
      };
      const zeros = makeRecord({
        start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 985),
        input_tokens: 0,
        output_tokens: 0,
        total_tokens: 0,
        cached_input_tokens: 0,
        reasoning_tokens: 0,
        ttft_ms: 0,
        ttlt_ms: 0,
        tokens_per_second: 0,
        message_count: 0,
        origin: '',
        api_key_id: '',
        user: '',
        tags: { only: 'one' },
        cost_usd: 0,
      });

      it('returns every field as written from recent, getRequest and scan, with nulls, zeros, booleans and tags intact', async () => {
        await store.recordBatch([full, allNull, zeros]);

        const rows = await recent();
        assert.equal(rows.length, 3);
        assert.deepEqual(rows.map(withoutId), [full, allNull, zeros].map(expectedStored));
        const ids = rows.map((r) => r.id);
        for (const id of ids) assert.ok(Number.isSafeInteger(id) && id > 0, `id ${id} is a positive integer`);
        assert.equal(new Set(ids).size, 3, 'ids are distinct');
        for (const row of rows) {
          assert.equal(typeof row.is_error, 'boolean');
          assert.equal(typeof row.was_streamed, 'boolean');
        }

        for (const row of rows) assert.deepEqual(await store.getRequest(row.id), row);

        const scanned = await scanAll();
        assert.deepEqual(scanned.map((s) => s.record), [full, allNull, zeros]);
        assert.deepEqual(scanned.map((s) => s.id), ids, 'scan ids match recent ids (written in time order newest first)');
      });

      it('keeps tag keys that are special to JavaScript objects as plain tags', async () => {
        const tags = JSON.parse('{"__proto__": "proto", "constructor": "c", "toString": "s", "hasOwnProperty": "h"}') as Record<string, string>;
        await store.recordBatch([makeRecord({ tags })]);
        const [row] = await recent();
        assert.ok(row, 'the row is there');
        assert.deepEqual(Object.entries(row.tags).sort(), Object.entries(tags).sort());
        assert.equal(Object.getPrototypeOf(row.tags), Object.prototype);
        assert.deepEqual((await recent({ tags: [['__proto__', 'proto']] })).map((r) => r.id), [row.id]);
      });

      it('stores many tags per request and the same tag on many requests', async () => {
        const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, `v${i}`]));
        await store.recordBatch([makeRecord({ tags: many }), makeRecord({ tags: { k7: 'v7' } }), makeRecord({ tags: { k7: 'other' } })]);
        const scanned = await scanAll();
        assert.deepEqual(scanned.map((s) => s.record.tags), [many, { k7: 'v7' }, { k7: 'other' }]);
        assert.equal((await recent({ tags: [['k7', 'v7']] })).length, 2);
      });

      it('renders start_time as ISO-8601 UTC with milliseconds', async () => {
        await store.recordBatch([
          makeRecord({ start_time: 0 }),
          makeRecord({ start_time: Date.UTC(2025, 11, 31, 23, 59, 59, 1) }),
        ]);
        assert.deepEqual(
          (await recent()).map((r) => r.start_time),
          ['2025-12-31T23:59:59.001Z', '1970-01-01T00:00:00.000Z'],
        );
        assert.deepEqual(
          (await scanAll()).map((s) => s.record.start_time),
          [0, Date.UTC(2025, 11, 31, 23, 59, 59, 1)],
        );
      });
    });

    describe('recordBatch', () => {
      /** Rejects `batch` as a write failure naming record `index`, and leaves the store as it was. */
      async function assertRejectsRecord(batch: RequestRecord[], index: number, label: string): Promise<void> {
        const before = await scanAll();
        await assert.rejects(store.recordBatch(batch), (err: unknown) => {
          assert.ok(err instanceof StoreWriteError, `${label}: a StoreWriteError`);
          assert.equal(err.code, 'LMP_STORE_WRITE_FAILED', label);
          assert.equal(err.invalidIndex, index, `${label}: invalidIndex`);
          return true;
        }, label);
        assert.deepEqual(await scanAll(), before, `${label}: nothing written`);
      }

      it('writes nothing and rejects when one record has NaN in a NOT NULL column', async () => {
        await assertRejectsRecord([makeRecord(), makeRecord({ start_time: Number.NaN })], 1, 'NaN start_time');
        assert.deepEqual(await recent(), []);
      });

      it('writes nothing and rejects when one record lacks a required field', async () => {
        const missing = (field: keyof RequestRecord): RequestRecord => ({ ...makeRecord(), [field]: undefined }) as unknown as RequestRecord;
        for (const field of ['duration_ms', 'method', 'user', 'cost_usd', 'tags', 'cached_input_tokens'] as const) {
          await assertRejectsRecord([makeRecord(), makeRecord(), missing(field)], 2, `missing ${field}`);
        }
        assert.deepEqual(await recent(), []);
      });

      it('rejects NaN, infinities, fractions in integer fields and wrong types in the new fields', async () => {
        const bad: Array<[string, Partial<Record<keyof RequestRecord, unknown>>]> = [
          ['NaN cost', { cost_usd: Number.NaN }],
          ['infinite ttlt', { ttlt_ms: Number.POSITIVE_INFINITY }],
          ['fractional message_count', { message_count: 2.5 }],
          ['fractional cached_input_tokens', { cached_input_tokens: 0.5 }],
          ['string reasoning_tokens', { reasoning_tokens: '5' }],
          ['numeric user', { user: 42 }],
          ['boolean origin', { origin: true }],
        ];
        for (const [label, override] of bad) {
          await assertRejectsRecord([makeRecord(), { ...makeRecord(), ...override } as RequestRecord], 1, label);
        }
      });

      it('rejects tags that are not a plain object of strings, naming the record', async () => {
        class Tags {
          team = 'red';
        }
        const badTags: Array<[string, unknown]> = [
          ['null', null],
          ['array', [['team', 'red']]],
          ['string', 'team=red'],
          ['number value', { team: 1 }],
          ['null value', { team: null }],
          ['undefined value', { team: undefined }],
          ['nested object', { team: { name: 'red' } }],
          ['Map', new Map([['team', 'red']])],
          ['class instance', new Tags()],
        ];
        for (const [label, tags] of badTags) {
          const batch = [makeRecord({ tags: { ok: 'yes' } }), makeRecord(), { ...makeRecord(), tags } as unknown as RequestRecord];
          await assertRejectsRecord(batch, 2, `tags ${label}`);
        }
        assert.deepEqual(await recent({ tags: [['ok', 'yes']] }), [], 'no tags of the rejected batches were written');
      });

      it('keeps earlier batches after a failed one and accepts later ones, tags included', async () => {
        await store.recordBatch([makeRecord({ endpoint: '/first', tags: { batch: '1' } })]);
        await assert.rejects(
          store.recordBatch([
            makeRecord({ endpoint: '/bad', tags: { batch: '2' } }),
            makeRecord({ duration_ms: Number.NaN, tags: { batch: '2' } }),
          ]),
        );
        await store.recordBatch([makeRecord({ endpoint: '/third', start_time: T0 + 1, tags: { batch: '3' } })]);
        assert.deepEqual(
          (await recent()).map((r) => [r.endpoint, r.tags]),
          [['/third', { batch: '3' }], ['/first', { batch: '1' }]],
        );
        assert.deepEqual(await recent({ tags: [['batch', '2']] }), []);
      });

      it('accepts an empty batch and a large one', async () => {
        await store.recordBatch([]);
        assert.deepEqual(await scanAll(), []);
        const many = Array.from({ length: 500 }, (_, i) => makeRecord({ start_time: T0 + i, tags: { i: String(i) } }));
        await store.recordBatch(many);
        const scanned = await scanAll();
        assert.equal(scanned.length, 500);
        assert.deepEqual(scanned.map((s) => s.record), many);
      });
    });

    describe('recent filters', () => {
      /** A mix of every dimension a filter can select on, written out of order and across batches. */
      const dataset: RequestRecord[] = Array.from({ length: 36 }, (_, i) => {
        const endpoints = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models', '/v1/responses', '/v1/messages'];
        const failed = i % 5 === 0;
        const base = failed ? makeFailedRecord() : makeRecord();
        const tags: Record<string, string> = {};
        if (i % 2 === 0) tags.team = i % 4 === 0 ? 'red' : 'blue';
        if (i % 3 === 0) tags.env = i % 9 === 0 ? 'prod' : 'dev';
        return {
          ...base,
          // Several rows share a start_time; the order of writing is not the order of time.
          start_time: T0 + ((i * 7) % 12) * 1000,
          model: i % 7 === 6 ? null : i % 3 === 0 ? 'model-a' : 'model-b',
          endpoint: endpoints[i % endpoints.length] as string,
          was_streamed: i % 4 < 2,
          api_key_id: i % 5 === 4 ? null : `key_${i % 2}`,
          user: i % 6 === 5 ? null : i % 3 === 1 ? 'bob' : 'alice',
          tags,
        };
      });

      /** Writes the dataset; returns the record behind each id. */
      async function seed(): Promise<Map<number, RequestRecord>> {
        await store.recordBatch(dataset.slice(0, 20));
        await store.recordBatch(dataset.slice(20));
        const scanned = await scanAll();
        assert.equal(scanned.length, dataset.length);
        return new Map(scanned.map((s) => [s.id, s.record]));
      }

      /** Ids `recent` must return: matching records, newest start_time first, then highest id. */
      function expectedIds(byId: Map<number, RequestRecord>, filter: StatsFilter, completionsOnly = false): number[] {
        return [...byId]
          .filter(([, r]) => matches(r, filter) && (!completionsOnly || COMPLETION_ENDPOINTS.includes(r.endpoint)))
          .sort(([ia, a], [ib, b]) => b.start_time - a.start_time || ib - ia)
          .map(([id]) => id);
      }

      const cases: Array<[string, StatsFilter]> = [
        ['no filter', {}],
        ['start (inclusive)', { start: T0 + 5000 }],
        ['end (exclusive)', { end: T0 + 5000 }],
        ['start and end', { start: T0 + 2000, end: T0 + 9000 }],
        ['empty window', { start: T0 + 5000, end: T0 + 5000 }],
        ['model', { model: 'model-a' }],
        ['unknown model', { model: 'model-z' }],
        ['endpoint', { endpoint: '/v1/embeddings' }],
        ['streamed', { streamed: true }],
        ['not streamed', { streamed: false }],
        ['success', { status: 'success' }],
        ['error', { status: 'error' }],
        ['api key', { apiKeyId: 'key_1' }],
        ['user', { user: 'bob' }],
        ['one tag', { tags: [['team', 'red']] }],
        ['two tags (all must match)', { tags: [['team', 'red'], ['env', 'prod']] }],
        ['two values of one key (never both)', { tags: [['team', 'red'], ['team', 'blue']] }],
        ['unknown tag value', { tags: [['team', 'green']] }],
        ['empty tag list', { tags: [] }],
        ['model + streamed + status', { model: 'model-b', streamed: true, status: 'success' }],
        ['everything', {
          start: T0, end: T0 + 11000, model: 'model-a', endpoint: '/v1/chat/completions', streamed: true,
          status: 'success', apiKeyId: 'key_0', user: 'alice', tags: [['team', 'red']],
        }],
        ['window + user + tag', { start: T0 + 3000, end: T0 + 10000, user: 'alice', tags: [['env', 'dev']] }],
        ['api key + error', { apiKeyId: 'key_0', status: 'error' }],
      ];

      it('applies each filter alone and in combination', async () => {
        const byId = await seed();
        for (const [label, filter] of cases) {
          assert.deepEqual((await recent(filter)).map((r) => r.id), expectedIds(byId, filter), label);
        }
        // The dataset is rich enough for the cases above to mean something.
        for (const [label, filter] of cases) {
          if (label === 'everything' || label.startsWith('two tags')) {
            assert.ok(expectedIds(byId, filter).length >= 1, `${label} matches some rows`);
          }
        }
      });

      it('completionsOnly keeps the completion endpoints, alone and with a filter', async () => {
        const byId = await seed();
        const all = await recent({}, { completionsOnly: true });
        assert.deepEqual(all.map((r) => r.id), expectedIds(byId, {}, true));
        assert.ok(all.length > 0 && all.length < dataset.length, `some but not all rows are completions (${all.length})`);
        for (const [label, filter] of cases) {
          assert.deepEqual((await recent(filter, { completionsOnly: true })).map((r) => r.id), expectedIds(byId, filter, true), label);
        }
        assert.deepEqual(await recent({ endpoint: '/v1/embeddings' }, { completionsOnly: true }), []);
        assert.deepEqual(
          (await recent({}, { completionsOnly: false })).map((r) => r.id),
          expectedIds(byId, {}),
          'completionsOnly: false filters nothing',
        );
      });

      it('returns full rows (with tags) under a filter', async () => {
        const byId = await seed();
        for (const row of await recent({ tags: [['team', 'red']] })) {
          const record = byId.get(row.id);
          assert.ok(record, `row ${row.id} was written`);
          assert.deepEqual(withoutId(row), expectedStored(record));
        }
      });

      it('treats filter values as values, never as SQL', async () => {
        const nasty = "x' OR '1'='1"; // a quote that would break out of a literal
        await store.recordBatch([
          makeRecord({ model: nasty, user: 'robert"); DROP TABLE requests; --', tags: { "k'": "v' OR 1=1 --" } }),
          makeRecord({ model: 'model-a' }),
        ]);
        assert.equal((await recent({ model: nasty })).length, 1);
        assert.equal((await recent({ user: 'robert"); DROP TABLE requests; --' })).length, 1);
        assert.equal((await recent({ tags: [["k'", "v' OR 1=1 --"]] })).length, 1);
        assert.equal((await recent({ model: "' OR 1=1 --" })).length, 0);
        assert.equal((await recent({ model: '%' })).length, 0, 'no LIKE semantics');
        assert.equal((await recent()).length, 2);
      });
    });

    describe('recent ordering and paging', () => {
      it('is empty for an empty store', async () => {
        assert.deepEqual(await recent(), []);
        assert.deepEqual(await store.recent({ filter: {}, limit: 10, offset: 5 }), []);
        assert.deepEqual(await store.recent({ filter: {}, limit: 10, before: { start_time: T0, id: 1 } }), []);
      });

      it('orders newest first by start_time, ties by newest id, and honours the limit', async () => {
        await store.recordBatch([
          makeRecord({ endpoint: '/b', start_time: T0 + 1000 }),
          makeRecord({ endpoint: '/a', start_time: T0 + 3000 }),
          makeRecord({ endpoint: '/c', start_time: T0 + 2000 }),
        ]);
        await store.recordBatch([
          makeRecord({ endpoint: '/d', start_time: T0 + 2000 }), // same time as /c, written later
          makeRecord({ endpoint: '/e', start_time: T0 }),
          makeRecord({ endpoint: '/f', start_time: T0 + 2000 }), // same again, written last
        ]);

        const all = await recent();
        assert.deepEqual(all.map((r) => r.endpoint), ['/a', '/f', '/d', '/c', '/b', '/e']);
        const [f, d, c] = all.slice(1, 4);
        assert.ok(c && d && f && f.id > d.id && d.id > c.id, 'the later-written row of a start_time tie has the larger id');

        const page = (limit: number) => store.recent({ filter: {}, limit }).then((rows) => rows.map((r) => r.endpoint));
        assert.deepEqual(await page(2), ['/a', '/f']);
        assert.deepEqual(await page(1), ['/a']);
        assert.deepEqual(await page(0), []);
        assert.equal((await page(6)).length, 6);
      });

      /** 23 rows in runs of equal start_time that straddle every page boundary of size 5. */
      async function seedPaging(): Promise<StoredRequest[]> {
        const records = Array.from({ length: 23 }, (_, i) =>
          makeRecord({ start_time: T0 + Math.floor(((i * 5) % 23) / 3) * 1000, tags: { n: String(i) }, user: i % 2 ? 'odd' : 'even' }),
        );
        await store.recordBatch(records.slice(0, 11));
        await store.recordBatch(records.slice(11));
        const all = await recent();
        assert.equal(all.length, 23);
        return all;
      }

      it('offset paging covers every row exactly once, in order', async () => {
        const all = await seedPaging();
        for (const filter of [{}, { user: 'odd' }] satisfies StatsFilter[]) {
          const expected = await recent(filter);
          const seen: StoredRequest[] = [];
          for (let offset = 0; ; offset += 5) {
            const page = await store.recent({ filter, limit: 5, offset });
            assert.ok(page.length <= 5, `page of ${page.length} within the limit`);
            seen.push(...page);
            if (page.length < 5) break;
          }
          assert.deepEqual(seen, expected);
        }
        assert.deepEqual(await store.recent({ filter: {}, limit: 5, offset: 23 }), []);
        assert.deepEqual(await store.recent({ filter: {}, limit: 5, offset: 21 }), all.slice(21));
      });

      it('cursor paging covers every row exactly once, in order', async () => {
        await seedPaging();
        for (const filter of [{}, { user: 'odd' }, { tags: [['n', '4']] }] satisfies StatsFilter[]) {
          const expected = await recent(filter);
          const seen: StoredRequest[] = [];
          let before: RecentQuery['before'];
          for (;;) {
            const page = await store.recent({ filter, limit: 5, before });
            seen.push(...page);
            const last = page.at(-1);
            if (page.length < 5 || last === undefined) break;
            before = cursorOf(last);
          }
          assert.deepEqual(seen, expected);
        }
      });

      it('cursor paging stays exact while rows are written between pages', async () => {
        const original = await seedPaging();
        const seen: StoredRequest[] = [];
        const mustAppear = new Set(original.map((r) => r.id));
        const mustNotAppear = new Set<number>();
        let before: RecentQuery['before'];
        let round = 0;
        for (;;) {
          const page = await store.recent({ filter: {}, limit: 5, before });
          seen.push(...page);
          const last = page.at(-1);
          if (page.length < 5 || last === undefined) break;
          before = cursorOf(last);

          // Newer than everything, tied with the cursor (but a larger id, so above it), and older.
          round++;
          await store.recordBatch([
            makeRecord({ start_time: T0 + 1_000_000 + round, tags: { late: 'newer' } }),
            makeRecord({ start_time: before.start_time, tags: { late: 'tie' } }),
            makeRecord({ start_time: before.start_time - 1, tags: { late: 'older' } }),
          ]);
          for (const row of await recent({ tags: [['late', 'newer']] })) mustNotAppear.add(row.id);
          for (const row of await recent({ tags: [['late', 'tie']] })) mustNotAppear.add(row.id);
          for (const row of await recent({ tags: [['late', 'older']] })) mustAppear.add(row.id);
        }
        assert.ok(round >= 3, 'several pages were read');

        const ids = seen.map((r) => r.id);
        assert.equal(new Set(ids).size, ids.length, 'no row twice');
        for (let i = 1; i < seen.length; i++) {
          const a = seen[i - 1] as StoredRequest;
          const b = seen[i] as StoredRequest;
          assert.ok(a.start_time > b.start_time || (a.start_time === b.start_time && a.id > b.id), `strictly descending at ${i}`);
        }
        assert.deepEqual(new Set(ids), mustAppear, 'every original row and every row written below the cursor, nothing else');
        for (const id of mustNotAppear) assert.ok(!ids.includes(id), `row ${id}, written above the cursor, is not seen`);
      });

      it('combines a cursor with filters and an offset', async () => {
        const all = await seedPaging();
        const pivot = all[6] as StoredRequest;
        const below = all.slice(7);
        assert.deepEqual(await store.recent({ filter: {}, limit: ALL, before: cursorOf(pivot) }), below);
        assert.deepEqual(await store.recent({ filter: {}, limit: 3, offset: 2, before: cursorOf(pivot) }), below.slice(2, 5));
        assert.deepEqual(
          await store.recent({ filter: { user: 'odd' }, limit: ALL, before: cursorOf(pivot) }),
          below.filter((r) => r.user === 'odd'),
        );
      });
    });

    describe('getRequest', () => {
      it('returns the stored request by id, and null for an unknown id', async () => {
        await store.recordBatch([makeRecord({ tags: { a: '1' }, user: 'u' }), makeFailedRecord({ start_time: T0 + 1 })]);
        const rows = await recent();
        assert.equal(rows.length, 2);
        for (const row of rows) assert.deepEqual(await store.getRequest(row.id), row);
        const maxId = Math.max(...rows.map((r) => r.id));
        assert.equal(await store.getRequest(maxId + 1), null);
        assert.equal(await store.getRequest(0), null);
        assert.equal(await store.getRequest(-1), null);
      });

      it('returns null on an empty store', async () => {
        assert.equal(await store.getRequest(1), null);
      });
    });

    describe('scan', () => {
      it('is empty for an empty store', async () => {
        assert.deepEqual(await store.scan(0, 10), []);
      });

      it('pages through every record in id order by afterId, with epoch-ms start_time and tags', async () => {
        const records = Array.from({ length: 17 }, (_, i) =>
          makeRecord({ start_time: T0 + ((i * 3) % 17), tags: i % 3 === 0 ? {} : { i: String(i), parity: String(i % 2) } }),
        );
        await store.recordBatch(records.slice(0, 9));
        await store.recordBatch(records.slice(9));

        const seen: Array<{ id: number; record: RequestRecord }> = [];
        let afterId = 0;
        for (;;) {
          const page = await store.scan(afterId, 4);
          assert.ok(page.length <= 4, `page of ${page.length} within the limit`);
          seen.push(...page);
          const last = page.at(-1);
          if (last === undefined) break;
          afterId = last.id;
        }
        assert.deepEqual(seen.map((s) => s.record), records);
        const ids = seen.map((s) => s.id);
        assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
        assert.equal(new Set(ids).size, ids.length);

        const lastId = ids.at(-1) as number;
        assert.deepEqual(await store.scan(lastId, 10), []);
        assert.deepEqual(await store.scan(0, 0), []);
        assert.deepEqual(await store.scan(ids[4] as number, 2), seen.slice(5, 7));

        // Rows written later are picked up from where the reader left off.
        const more = [makeRecord({ start_time: T0 - 5, tags: { late: 'yes' } })];
        await store.recordBatch(more);
        const next = await store.scan(lastId, 10);
        assert.deepEqual(next.map((s) => s.record), more);
        assert.ok((next[0]?.id ?? 0) > lastId, 'the new row has a larger id');
      });

      it('agrees with recent and getRequest', async () => {
        await store.recordBatch([makeRecord({ tags: { x: 'y' }, cost_usd: 1.5 }), makeFailedRecord({ start_time: T0 + 9 })]);
        for (const { id, record } of await scanAll()) {
          assert.deepEqual(await store.getRequest(id), { id, ...expectedStored(record) });
        }
      });
    });

    describe('persistence', () => {
      it('keeps data (tags included) across close and reopen of the same location', async () => {
        await store.recordBatch([
          makeRecord({ model: 'model-a', start_time: T0, tags: { team: 'red' }, api_key_id: 'key_1', cost_usd: 0.25 }),
          makeFailedRecord({ model: null, start_time: T0 + 1 }),
        ]);
        const before = { recent: await recent(), scan: await scanAll() };
        await store.close();

        const reopened = await open(opened.location);
        try {
          const again = reopened.store;
          assert.deepEqual({ recent: await again.recent({ filter: {}, limit: ALL }), scan: await again.scan(0, ALL) }, before);
          for (const row of before.recent) assert.deepEqual(await again.getRequest(row.id), row);
          assert.equal((await again.recent({ filter: { tags: [['team', 'red']] }, limit: ALL })).length, 1);

          await again.recordBatch([makeRecord({ start_time: T0 + 2, tags: { team: 'blue' } })]);
          const rows = await again.recent({ filter: {}, limit: ALL });
          const ids = rows.map((r) => r.id);
          assert.equal(new Set(ids).size, 3, 'new rows get fresh ids');
          assert.ok((rows[0]?.id ?? 0) > Math.max(...before.recent.map((r) => r.id)), 'and larger ones');
          assert.deepEqual(rows[0]?.tags, { team: 'blue' });
        } finally {
          await reopened.cleanup();
        }
      });
    });
  });
}

function cursorOf(row: StoredRequest): { start_time: number; id: number } {
  return { start_time: Date.parse(row.start_time), id: row.id };
}

/** What a StatsFilter means, in plain code: the reference `recent` is checked against. */
function matches(r: RequestRecord, f: StatsFilter): boolean {
  return (
    (f.start === undefined || r.start_time >= f.start) &&
    (f.end === undefined || r.start_time < f.end) &&
    (f.model === undefined || r.model === f.model) &&
    (f.endpoint === undefined || r.endpoint === f.endpoint) &&
    (f.streamed === undefined || r.was_streamed === f.streamed) &&
    (f.status === undefined || r.is_error === (f.status === 'error')) &&
    (f.apiKeyId === undefined || r.api_key_id === f.apiKeyId) &&
    (f.user === undefined || r.user === f.user) &&
    (f.tags ?? []).every(([key, value]) => Object.hasOwn(r.tags, key) && r.tags[key] === value)
  );
}

function withoutId(row: StoredRequest): Omit<StoredRequest, 'id'> {
  const { id: _id, ...rest } = row;
  return rest;
}

function expectedStored(record: RequestRecord): Omit<StoredRequest, 'id'> {
  return { ...record, start_time: new Date(record.start_time).toISOString() };
}
