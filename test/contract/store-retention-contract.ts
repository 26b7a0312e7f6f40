/**
 * Retention and daily usage rollups: what every `Store` adapter must do beyond the row contract
 * (store-contract.ts). The rollups are checked against the brute-force reference
 * (test/helpers/analytics-reference.ts) per UTC day × dimension × filter; prunes against the
 * rows written. An adapter's test file calls `storeRetentionContract` once, with the same `open`
 * as `storeContract`, and (optionally) a way to create a database at the schema before rollups.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { DAY_MS, USAGE_DIMENSIONS, utcDay, type UsageDimension, type UsageFilter } from '../../src/domain/usage.js';
import { applyMigrations, MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { INSERT_COLUMNS, toInsertRecord } from '../../src/store/sqlite/record-row.js';
import type { DailyUsageRow, Store } from '../../src/store/types.js';
import { HOUR, randomRecords, refDailyUsage, spreadRecords } from '../helpers/analytics-reference.js';
import { assertSame } from './analytics-contract.js';
import { NO_SHAPE_FIELDS } from './records.js';
import type { OpenedStore, OpenStore } from './store-contract.js';

export interface StoreRetentionOptions {
  /**
   * Creates a database holding `records` (tags included) at the last schema before the daily
   * rollups existed, and returns its location for `open`. Without it the back-fill test is skipped.
   */
  readonly createBeforeRollups?: (records: readonly RequestRecord[]) => Promise<string>;
}

/** More than any test writes: "everything". */
const ALL = 100_000;
/** Monday 2025-03-03: the data spans 40 UTC days. */
const FROM = Date.UTC(2025, 2, 3);
const DAYS = 40;
const day = (n: number): number => FROM + n * DAY_MS;

const USAGE_FILTERS: Record<string, UsageFilter> = {
  'no filter': {},
  model: { model: 'm-b' },
  endpoint: { endpoint: '/v1/embeddings' },
  streamed: { streamed: true },
  'not streamed': { streamed: false },
  'status error': { status: 'error' },
  'status success': { status: 'success' },
  apiKeyId: { apiKeyId: 'key_3' },
  user: { user: 'u4' },
  'empty user': { user: '' },
  combined: { model: 'm-a', streamed: false, status: 'success', apiKeyId: 'key_1', user: 'u2', endpoint: '/v1/chat/completions' },
  'unknown model': { model: 'nope' },
};

/**
 * Seeded rows over 40 days with tags, nulls and duplicate dimension values; a few with an empty
 * user beside null users on the same days (the rollups must keep '' and null apart).
 */
function records(seed = 3, count = 1200): RequestRecord[] {
  return spreadRecords(count, seed, FROM, DAYS).map((r, i) => (i % 97 === 5 ? { ...r, user: '' } : r));
}

/** A record as `scan` returns it: every schema-3 field present. */
const stored = (r: RequestRecord): RequestRecord => ({ ...NO_SHAPE_FIELDS, ...r });

/** Rows with a key sorted by day, then key (null last): the order of `dailyUsage` within a day is free. */
function sortDaily(rows: readonly DailyUsageRow[]): DailyUsageRow[] {
  const rank = (k: string | null | undefined): string => (k === null || k === undefined ? '\uffff\uffff' : `\u0000${k}`);
  return [...rows].sort((a, b) => a.day - b.day || (rank(a.key) < rank(b.key) ? -1 : rank(a.key) > rank(b.key) ? 1 : 0));
}

/** Distinct (UTC day, dimensions) pairs of `rs`: the rollup rows they make. */
function rollupRowCount(rs: readonly RequestRecord[]): number {
  return new Set(rs.map((r) => JSON.stringify([utcDay(r.start_time), r.model, r.endpoint, r.api_key_id, r.user, r.is_error, r.was_streamed]))).size;
}

async function writeInBatches(store: Store, rs: readonly RequestRecord[], size = 200): Promise<void> {
  for (let i = 0; i < rs.length; i += size) await store.recordBatch(rs.slice(i, i + size));
}

/** Prunes until a call deletes fewer than `limit`; returns each call's count. */
async function pruneAll(store: Store, before: number, limit: number): Promise<number[]> {
  const counts: number[] = [];
  for (;;) {
    const n = await store.pruneRequests(before, limit);
    counts.push(n);
    if (n < limit) return counts;
  }
}

/** The expected counts of `pruneAll` for `n` rows to delete. */
const batchCounts = (n: number, limit: number): number[] => [...Array<number>(Math.floor(n / limit)).fill(limit), n % limit];

export function storeRetentionContract(name: string, open: OpenStore, options: StoreRetentionOptions = {}): void {
  describe(`Store retention contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    /** Extra handles a test opened (reopens), cleaned up after it. */
    const extra: OpenedStore[] = [];

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      for (const h of extra.splice(0)) await h.cleanup();
      await opened.cleanup();
    });

    /** Every rollup row of every group-by and filter over [fromDay, toDay), against the reference. */
    async function assertRollups(s: Store, written: readonly RequestRecord[], fromDay: number, toDay: number, usageBefore: number | null = null, where = ''): Promise<void> {
      for (const groupBy of [null, ...USAGE_DIMENSIONS] as Array<UsageDimension | null>) {
        for (const [filterName, filter] of Object.entries(USAGE_FILTERS)) {
          const query = { fromDay, toDay, filter, groupBy };
          assertSame(sortDaily(await s.dailyUsage(query)), refDailyUsage(written, query, usageBefore), `${where} ${groupBy ?? 'not grouped'} / ${filterName}`);
        }
      }
    }

    /** Every row in id order. */
    const scanAll = (s: Store = store) => s.scan(0, ALL);

    /** Everything a prune or a reopen must leave as it was. */
    async function snapshot(s: Store) {
      const rollups: Record<string, DailyUsageRow[]> = {};
      for (const groupBy of [null, ...USAGE_DIMENSIONS] as Array<UsageDimension | null>) {
        rollups[groupBy ?? '-'] = sortDaily(await s.dailyUsage({ fromDay: day(-400), toDay: day(400), filter: {}, groupBy }));
      }
      return { rollups, span: await s.usageSpan(), retention: await s.retention(), rows: await scanAll(s) };
    }

    describe('daily rollups', () => {
      it('an empty store has no rollups and no retention marks; prunes of nothing change neither', async () => {
        assert.equal(await store.usageSpan(), null);
        assert.deepEqual(await store.dailyUsage({ fromDay: day(-100), toDay: day(100), filter: {}, groupBy: null }), []);
        assert.deepEqual(await store.dailyUsage({ fromDay: day(-100), toDay: day(100), filter: {}, groupBy: 'model' }), []);
        assert.deepEqual(await store.retention(), { requestsBefore: null, usageBefore: null });
        assert.equal(await store.pruneRequests(day(10), 100), 0);
        assert.equal(await store.pruneUsage(day(10)), 0);
        assert.deepEqual(await store.retention(), { requestsBefore: null, usageBefore: null });
      });

      it('sum each UTC day × dimension × filter exactly as the rows do, over every range', async () => {
        const rs = records();
        await writeInBatches(store, rs, 150);
        await assertRollups(store, rs, day(0), day(DAYS), null, 'all days:');
        await assertRollups(store, rs, day(-30), day(DAYS + 30), null, 'beyond the data:');
        await assertRollups(store, rs, day(3), day(17), null, 'days 3..17:');
        await assertRollups(store, rs, day(7), day(8), null, 'one day:');
        assert.deepEqual(await store.dailyUsage({ fromDay: day(5), toDay: day(5), filter: {}, groupBy: null }), [], 'empty range');
        assert.deepEqual(await store.dailyUsage({ fromDay: day(9), toDay: day(5), filter: {}, groupBy: 'user' }), [], 'reversed range');
        const times = rs.map((r) => r.start_time);
        assert.deepEqual(await store.usageSpan(), { first: utcDay(Math.min(...times)), last: utcDay(Math.max(...times)) });
      });

      it('put a row at 23:59:59.999 and one at 00:00:00.000 UTC on different days', async () => {
        const midnight = day(5);
        const [late, early] = randomRecords(2, 8).map((r, i) => ({ ...r, start_time: i === 0 ? midnight - 1 : midnight, model: 'm-a', is_error: false }));
        await store.recordBatch([late!, early!]);
        const rows = await store.dailyUsage({ fromDay: day(3), toDay: day(7), filter: {}, groupBy: null });
        assertSame(rows, refDailyUsage([late!, early!], { fromDay: day(3), toDay: day(7), filter: {}, groupBy: null }));
        assert.deepEqual(rows.map((r) => [r.day, r.usage.requests]), [[midnight - DAY_MS, 1], [midnight, 1]]);
        assert.deepEqual(await store.usageSpan(), { first: midnight - DAY_MS, last: midnight });
      });

      it('count rows written once once: batches on the same days and dimensions add up; a rejected batch adds nothing', async () => {
        const first = records(4, 400);
        // The same days and dimensions again, with other token counts and costs.
        const second = first.map((r, i) => ({ ...r, input_tokens: r.input_tokens === null ? null : r.input_tokens + i, cost_usd: r.cost_usd === null ? 0.5 : r.cost_usd * 3 }));
        await store.recordBatch(first);
        await assertRollups(store, first, day(0), day(DAYS), null, 'first batch:');
        await store.recordBatch(second);
        await assertRollups(store, [...first, ...second], day(0), day(DAYS), null, 'both batches:');
        const before = await snapshot(store);
        const invalid = { ...second[0]!, input_tokens: 1.5 };
        await assert.rejects(store.recordBatch([second[1]!, invalid]));
        assert.deepEqual(await snapshot(store), before, 'a rejected batch writes no row and no rollup');
      });

      it('reopening the store changes nothing (rollups, span, marks, rows)', async () => {
        const rs = records(6, 600);
        await writeInBatches(store, rs);
        await pruneAll(store, day(11) + 3 * HOUR, 50);
        await store.pruneUsage(day(4));
        const before = await snapshot(store);
        await store.close();
        const reopened = await open(opened.location);
        extra.push(reopened);
        assert.deepEqual(await snapshot(reopened.store), before);
        await assertRollups(reopened.store, rs, day(0), day(DAYS), day(4), 'reopened:');
      });
    });

    describe('pruneRequests', () => {
      it('deletes exactly the rows before the cutoff, in batches of limit, and leaves the rollups alone', async () => {
        const rs = records(7);
        await writeInBatches(store, rs);
        const written = await scanAll();
        assert.equal(written.length, rs.length);
        const rollupsBefore = (await snapshot(store)).rollups;
        const cut = day(17) + 5 * HOUR + 3;
        const old = written.filter((w) => w.record.start_time < cut);
        assert.ok(old.length > 300 && old.length < rs.length - 300, 'rows on both sides of the cutoff');

        assert.deepEqual(await pruneAll(store, cut, 97), batchCounts(old.length, 97));
        const left = await scanAll();
        assert.deepEqual(left.map((w) => w.id), written.filter((w) => w.record.start_time >= cut).map((w) => w.id));
        assert.deepEqual(left.map((w) => w.record), rs.filter((r) => r.start_time >= cut).map(stored), 'the newer rows, tags included, as written');
        for (const w of old.slice(0, 20)) assert.equal(await store.getRequest(w.id), null, `row ${w.id} is gone`);
        const kept = left[0]!;
        assert.equal((await store.getRequest(kept.id))?.id, kept.id);

        const after = await snapshot(store);
        assert.deepEqual(after.rollups, rollupsBefore, 'rollups untouched');
        await assertRollups(store, rs, day(0), day(DAYS), null, 'after the prune:');
        assert.deepEqual(after.retention, { requestsBefore: cut, usageBefore: null });

        // Again: nothing left to delete, nothing changes.
        assert.equal(await store.pruneRequests(cut, 97), 0);
        assert.deepEqual(await snapshot(store), after);
      });

      it('deletes at most limit rows per call, only rows before the cutoff, whatever the limit', async () => {
        const rs = records(9, 300);
        await store.recordBatch(rs);
        const cut = day(20);
        const old = rs.filter((r) => r.start_time < cut).length;
        assert.deepEqual(await pruneAll(store, cut, 1000), [old]);
        assert.equal((await scanAll()).length, rs.length - old);
        const cut2 = day(25) + 1;
        const old2 = rs.filter((r) => r.start_time >= cut && r.start_time < cut2).length;
        assert.deepEqual(await pruneAll(store, cut2, 1), batchCounts(old2, 1));
        assert.ok((await scanAll()).every((w) => w.record.start_time >= cut2));
      });

      it('deletes a row at 23:59:59.999 before a midnight cutoff and keeps the one at 00:00:00.000', async () => {
        const midnight = day(5);
        const [late, early] = randomRecords(2, 8).map((r, i) => ({ ...r, start_time: i === 0 ? midnight - 1 : midnight }));
        await store.recordBatch([early!, late!]);
        assert.equal(await store.pruneRequests(midnight, 10), 1);
        assert.deepEqual((await scanAll()).map((w) => w.record), [stored(early!)]);
        assert.equal((await store.dailyUsage({ fromDay: day(4), toDay: day(6), filter: {}, groupBy: null })).length, 2, 'both days keep their rollups');
      });

      it('raises retention().requestsBefore only when it deleted something, and never lowers it', async () => {
        const t1 = day(2) + HOUR;
        const t3 = day(9) + HOUR;
        const [a, b] = randomRecords(2, 10).map((r, i) => ({ ...r, start_time: i === 0 ? t1 : t3 }));
        await store.recordBatch([a!, b!]);
        const marks = async () => (await store.retention()).requestsBefore;

        assert.equal(await store.pruneRequests(t1, 10), 0, 'nothing before the first row');
        assert.equal(await marks(), null);
        const t2 = day(5);
        assert.equal(await store.pruneRequests(t2, 10), 1);
        assert.equal(await marks(), t2);
        assert.equal(await store.pruneRequests(t1, 10), 0);
        assert.equal(await marks(), t2, 'an earlier cutoff does not lower it');
        assert.equal(await store.pruneRequests(t2 + HOUR, 10), 0);
        assert.equal(await marks(), t2, 'a later cutoff that deleted nothing does not raise it');
        assert.equal(await store.pruneRequests(t3 + 1, 10), 1);
        assert.equal(await marks(), t3 + 1);
        assert.equal((await store.retention()).usageBefore, null, 'pruning rows leaves the usage mark alone');
      });

      it('deletes the tags with their rows: a row written after the prune carries only its own tags', async () => {
        // The newest ids hold the oldest rows, so an adapter that reuses freed ids gives them to the next rows.
        const cut = day(20);
        const base = randomRecords(60, 12);
        const recent = base.slice(0, 20).map((r, i) => ({ ...r, start_time: cut + i * HOUR, tags: { team: 'new', n: String(i) } }));
        const old = base.slice(20, 40).map((r, i) => ({ ...r, start_time: day(2) + i * HOUR, tags: { team: 'old', env: 'prod', n: String(i) } }));
        await store.recordBatch(recent);
        await store.recordBatch(old);
        assert.deepEqual(await pruneAll(store, cut, 7), batchCounts(old.length, 7));
        const later = base.slice(40).map((r, i): RequestRecord => ({ ...r, start_time: cut + DAY_MS + i, tags: i % 2 === 0 ? {} : { team: 'later' } }));
        await store.recordBatch(later);
        assert.deepEqual((await scanAll()).map((w) => w.record), [...recent, ...later].map(stored));
        assert.deepEqual(await store.recent({ filter: { tags: [['team', 'old']] }, limit: ALL }), []);
        assert.deepEqual(await store.recent({ filter: { tags: [['env', 'prod']] }, limit: ALL }), []);
        for (const w of await scanAll()) assert.deepEqual((await store.getRequest(w.id))?.tags, w.record.tags);
      });
    });

    describe('pruneUsage', () => {
      it('deletes the rollups of the days before the cutoff only, raises usageBefore, leaves the rows', async () => {
        const rs = records(13, 800);
        await writeInBatches(store, rs);
        const rowsBefore = await scanAll();
        const cut = day(9);
        assert.equal(await store.pruneUsage(cut), rollupRowCount(rs.filter((r) => r.start_time < cut)));
        await assertRollups(store, rs, day(-5), day(DAYS + 5), cut, 'after pruneUsage:');
        const firstKept = utcDay(Math.min(...rs.filter((r) => r.start_time >= cut).map((r) => r.start_time)));
        assert.deepEqual(await store.usageSpan(), { first: firstKept, last: utcDay(Math.max(...rs.map((r) => r.start_time))) });
        assert.deepEqual(await store.retention(), { requestsBefore: null, usageBefore: cut });
        assert.deepEqual(await scanAll(), rowsBefore, 'request rows untouched');

        const after = await snapshot(store);
        assert.equal(await store.pruneUsage(cut), 0, 'again: nothing to delete');
        assert.equal(await store.pruneUsage(day(3)), 0, 'an earlier day: nothing to delete');
        assert.deepEqual(await snapshot(store), after, 'nothing changed, the mark was not lowered');
        const cut2 = day(DAYS + 1);
        assert.equal(await store.pruneUsage(cut2), rollupRowCount(rs.filter((r) => r.start_time >= cut)));
        assert.equal(await store.usageSpan(), null);
        assert.deepEqual(await store.retention(), { requestsBefore: null, usageBefore: cut2 });
      });
    });

    describe('a prune racing writes', () => {
      const cut = day(15) + 7 * HOUR + 11;
      /** 30 batches of 40 rows, each with rows on both sides of the cutoff. */
      const batches = (): RequestRecord[][] => {
        const rs = records(17, 1200);
        return Array.from({ length: 30 }, (_, i) => rs.slice(i * 40, (i + 1) * 40));
      };

      async function assertOutcome(written: readonly RequestRecord[]): Promise<void> {
        // Rows written after the last prune call may still be old: finish the prune first.
        await pruneAll(store, cut, 50);
        assert.deepEqual((await scanAll()).map((w) => w.record), written.filter((r) => r.start_time >= cut).map(stored), 'every newer row, none older');
        await assertRollups(store, written, day(0), day(DAYS), null, 'after the race:');
        assert.equal((await store.retention()).requestsBefore, cut);
      }

      it('started together (every write and prune in flight at once): nothing newer is lost, rollups stay exact', async () => {
        const bs = batches();
        assert.ok(bs.every((b) => b.some((r) => r.start_time < cut) && b.some((r) => r.start_time >= cut)));
        const ops: Array<Promise<unknown>> = [];
        for (const b of bs) {
          ops.push(store.recordBatch(b));
          ops.push(store.pruneRequests(cut, 13).then((n) => assert.ok(n <= 13, `deleted ${n} > limit`)));
        }
        await Promise.all(ops);
        await assertOutcome(bs.flat());
      });

      it('one after another, alternating: nothing newer is lost, rollups stay exact', async () => {
        const bs = batches();
        const written: RequestRecord[] = [];
        for (const b of bs) {
          await store.recordBatch(b);
          written.push(...b);
          assert.ok((await store.pruneRequests(cut, 13)) <= 13);
          const newer = (await scanAll()).map((w) => w.record).filter((r) => r.start_time >= cut);
          assert.deepEqual(newer, written.filter((r) => r.start_time >= cut).map(stored), 'every newer row so far');
        }
        await assertOutcome(bs.flat());
      });
    });

    describe('upgrade', () => {
      const create = options.createBeforeRollups;
      it('an existing database without rollups gets them back-filled from its rows, once', { skip: create === undefined ? 'no createBeforeRollups for this adapter' : false }, async () => {
        // Awkward dimension values too: quotes, backslashes, control characters, non-ASCII, ''.
        const odd = ['m"q\\x', 'tab\there', 'ü🙂', '', 'a\u0007b'];
        const rs = records(19, 700).map((r, i) => (i % 11 === 0 ? { ...r, model: odd[i % odd.length]!, user: odd[(i + 2) % odd.length]! } : r));
        const location = await create!(rs);
        const upgraded = await open(location);
        extra.push(upgraded);
        const s = upgraded.store;
        assert.deepEqual((await scanAll(s)).map((w) => w.record), rs.map(stored), 'the rows are kept');
        assert.deepEqual(await s.retention(), { requestsBefore: null, usageBefore: null });
        await assertRollups(s, rs, day(0), day(DAYS), null, 'back-filled:');
        const times = rs.map((r) => r.start_time);
        assert.deepEqual(await s.usageSpan(), { first: utcDay(Math.min(...times)), last: utcDay(Math.max(...times)) });

        // New rows on the same days and dimensions add to the back-filled rollup rows.
        await writeInBatches(s, rs, 250);
        await assertRollups(s, [...rs, ...rs], day(0), day(DAYS), null, 'back-filled, then written again:');
        await s.close();
        const reopened = await open(location);
        extra.push(reopened);
        await assertRollups(reopened.store, [...rs, ...rs], day(0), day(DAYS), null, 'reopened (no second back-fill):');
        assert.equal(await reopened.store.pruneUsage(day(DAYS + 1)), rollupRowCount(rs), 'one rollup row per day and dimensions, back-filled or written');
      });
    });
  });
}

/**
 * `createBeforeRollups` for SQLite: a database file at schema 3 (before migration 4 added the
 * daily rollups) holding `records` and their tags, in a new temp directory (the location).
 */
export async function createSqliteBeforeRollups(records: readonly RequestRecord[]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-sqlite-v3-'));
  const db = new Database(path.join(dir, 'metrics.db'));
  try {
    assert.deepEqual(applyMigrations(db, MIGRATIONS.slice(0, 3)), [1, 2, 3]);
    const insert = db.prepare(`INSERT INTO requests (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    const insertTag = db.prepare('INSERT INTO request_tags (request_id, key, value) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (const r of records) {
        const { row, tags } = toInsertRecord(r);
        const id = Number(insert.run(row).lastInsertRowid);
        for (const [k, v] of tags) insertTag.run(id, k, v);
      }
    })();
    assert.equal(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'usage_daily'").pluck().get(), 0, 'no rollups yet');
  } finally {
    db.close();
  }
  return dir;
}
