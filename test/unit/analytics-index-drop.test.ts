/**
 * AnalyticsIndex.dropBefore (retention): after dropping the rows before a cutoff, every query
 * whose filter starts at or after the cutoff answers exactly as before the drop (and as the
 * brute-force reference), through several cutoffs, adds after a drop, and a drop of every row.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import type { GroupDimension } from '../../src/analytics/types.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import { assertSameAggregates } from '../helpers/analytics-harness.js';
import { prng } from '../helpers/prng.js';
import {
  DIMENSION, HOUR, matches, randomRecords, refAggregate, refCompletion, refGroupBy, refTimeSpan, refTimeseries, sortKeys, T0,
} from '../helpers/analytics-reference.js';

const SEGMENT = 65_536;
const STEP = 1000;

/**
 * Records nearly in time order, as the store holds them (a row is written when its request
 * ends): one per second with ±30 s of jitter, and 3% that started up to two hours earlier.
 */
function nearlyOrdered(count: number, seed: number, first: number): RequestRecord[] {
  const rand = prng(seed + 1);
  return randomRecords(count, seed).map((r, i) => {
    const base = T0 + (first + i) * STEP;
    const start_time = rand() < 0.03 ? base - Math.floor(rand() * 2 * HOUR) : base + Math.floor((rand() - 0.5) * 60_000);
    return { ...r, start_time };
  });
}

function build(records: readonly RequestRecord[]): AnalyticsIndex {
  const index = new AnalyticsIndex();
  for (let i = 0; i < records.length; i += 25_000) index.add(records.slice(i, i + 25_000));
  return index;
}

/** Filters that start at or after `cutoff`. */
function filtersFrom(cutoff: number): Record<string, StatsFilter> {
  return {
    'from the cutoff': { start: cutoff },
    'from the cutoff, 5 hours': { start: cutoff, end: cutoff + 5 * HOUR },
    'from 17 minutes after, model': { start: cutoff + 17 * 60_000 + 3, model: 'm-b' },
    'from the cutoff, tag': { start: cutoff, tags: [['team', 'red']] },
    'from the cutoff, two tags, streamed, success': { start: cutoff, tags: [['team', 'blue'], ['env', 'prod']], streamed: true, status: 'success' },
    'from an hour after, key and user': { start: cutoff + HOUR, apiKeyId: 'key_2', user: 'u3' },
  };
}

/** Every query of `filter` on both indexes: exactly the same answers. */
function assertSameAnswers(after: AnalyticsIndex, before: AnalyticsIndex, filter: StatsFilter, where: string): void {
  assert.deepEqual(after.aggregate(filter), before.aggregate(filter), `${where}: aggregate`);
  for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
    assert.deepEqual(after.groupBy(dimension, filter), before.groupBy(dimension, filter), `${where}: groupBy ${dimension}`);
  }
  assert.deepEqual(after.completionOverview(filter), before.completionOverview(filter), `${where}: completionOverview`);
  assert.deepEqual(after.timeSpan(filter), before.timeSpan(filter), `${where}: timeSpan`);
  const start = filter.start!;
  for (const bucketMs of [HOUR, 12 * HOUR, 7 * 60_000]) {
    const range = { ...filter, start, end: start + 30 * HOUR };
    assert.deepEqual(after.timeseries(range, bucketMs), before.timeseries(range, bucketMs), `${where}: timeseries by ${bucketMs}`);
  }
}

/** The answers against the reference model over the records (all of them ever added). */
function assertMatchesReference(index: AnalyticsIndex, records: readonly RequestRecord[], filter: StatsFilter, where: string): void {
  const expected = records.filter((r) => matches(r, filter));
  assertSameAggregates(index.aggregate(filter), refAggregate(expected), `${where}: aggregate`);
  for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
    assertSameAggregates(index.groupBy(dimension, filter), refGroupBy(expected, dimension), `${where}: groupBy ${dimension}`);
  }
  assertSameAggregates(sortKeys(index.completionOverview(filter)), sortKeys(refCompletion(expected)), `${where}: completionOverview`);
  assert.deepEqual(index.timeSpan(filter), refTimeSpan(expected), `${where}: timeSpan`);
  const range = { ...filter, start: filter.start!, end: filter.start! + 30 * HOUR };
  assertSameAggregates(index.timeseries(range, HOUR), refTimeseries(records.filter((r) => matches(r, range)), range.start, range.end, HOUR), `${where}: timeseries`);
}

/** What dropBefore may drop: whole leading segments all before the cutoff, or every row when all are. */
function expectedDrop(records: readonly RequestRecord[], cutoff: number): number {
  if (records.every((r) => r.start_time < cutoff)) return records.length;
  let rows = 0;
  while (rows + SEGMENT <= records.length && records.slice(rows, rows + SEGMENT).every((r) => r.start_time < cutoff)) rows += SEGMENT;
  return rows;
}

describe('analytics index: dropBefore', () => {
  // Three sealed segments and a tail.
  const records = nearlyOrdered(3 * SEGMENT + 20_000, 21, 0);
  const full = build(records);
  const dropped = build(records);
  let held = records.slice();

  // [name, cutoff, rows it drops]
  const cutoffs: [string, number, number][] = [
    ['before every row', T0 - HOUR, 0],
    ['inside the first segment', T0 + 30_000 * STEP, 0],
    ['in the middle of the second segment', T0 + (SEGMENT + 30_000) * STEP, SEGMENT],
    ['a few rows into the third segment', T0 + (2 * SEGMENT + 40) * STEP, SEGMENT],
  ];
  for (const [name, cutoff, rows] of cutoffs) {
    it(`drops only whole segments before the cutoff (${name}), answers unchanged from it on`, () => {
      const expected = expectedDrop(held, cutoff);
      const sizeBefore = dropped.size;
      const count = dropped.dropBefore(cutoff);
      assert.equal(count, expected);
      assert.equal(count, rows);
      assert.ok(held.slice(0, count).every((r) => r.start_time < cutoff), 'only rows before the cutoff');
      held = held.slice(count);
      assert.equal(dropped.size, sizeBefore - count);
      assert.equal(dropped.size, held.length);
      for (const [label, filter] of Object.entries(filtersFrom(cutoff))) assertSameAnswers(dropped, full, filter, `${name}, ${label}`);
      assertMatchesReference(dropped, held, { start: cutoff }, `${name} vs reference`);
    });
  }

  it('a second drop at the same cutoff drops nothing more', () => {
    assert.equal(dropped.dropBefore(cutoffs[cutoffs.length - 1]![1]), 0);
  });

  it('answers the same after adds following a drop, and drops again', () => {
    const more = nearlyOrdered(SEGMENT + 9_000, 22, records.length);
    for (let i = 0; i < more.length; i += 7_000) {
      full.add(more.slice(i, i + 7_000));
      dropped.add(more.slice(i, i + 7_000));
    }
    held = [...held, ...more];
    assert.equal(dropped.size, held.length);
    const cutoff = T0 + (3 * SEGMENT + 50_000) * STEP;
    const count = dropped.dropBefore(cutoff);
    assert.equal(count, expectedDrop(held, cutoff));
    assert.equal(count, SEGMENT);
    held = held.slice(count);
    for (const [label, filter] of Object.entries(filtersFrom(cutoff))) assertSameAnswers(dropped, full, filter, label);
    assertMatchesReference(dropped, held, { start: cutoff }, 'after adds vs reference');
    assertMatchesReference(dropped, held, { start: cutoff + 2 * HOUR, model: 'm-a', tags: [['env', 'dev']] }, 'after adds vs reference, filtered');
  });

  it('gives memory back after a large drop', () => {
    const index = build(nearlyOrdered(4 * SEGMENT + 5_000, 23, 0));
    index.aggregate({});
    index.groupBy('model', { start: T0 });
    const before = index.allocatedBytes;
    const count = index.dropBefore(T0 + (4 * SEGMENT - 4 * HOUR / STEP) * STEP);
    assert.equal(count, 3 * SEGMENT);
    assert.ok(index.allocatedBytes < before / 2, `${index.allocatedBytes} bytes after, ${before} before`);
    index.aggregate({});
  });
});

describe('analytics index: dropBefore on small indexes', () => {
  const rec = (i: number): RequestRecord => ({ ...randomRecords(1, i)[0]!, start_time: T0 + i * STEP });

  it('an empty index drops nothing', () => {
    const index = new AnalyticsIndex();
    assert.equal(index.dropBefore(T0), 0);
    assert.equal(index.dropBefore(Infinity), 0);
    assert.equal(index.size, 0);
  });

  it('keeps a partly old tail (no sealed segment), drops it all once every row is old, then takes new rows', () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ ...rec(i), tags: { team: i < 4000 ? 'old' : 'new' } }));
    const index = build(records);
    assert.equal(index.dropBefore(T0 + 4500 * STEP), 0);
    assert.equal(index.size, 5000);
    assert.equal(index.dropBefore(T0 + 5000 * STEP), 5000);
    assert.equal(index.size, 0);
    assert.equal(index.aggregate({}).requests, 0);
    assert.deepEqual(index.groupBy('model', {}), []);
    assert.equal(index.timeSpan({}), null);
    assert.equal(index.aggregate({ tags: [['team', 'old']] }).requests, 0);
    const later = Array.from({ length: 3000 }, (_, i) => ({ ...rec(6000 + i), tags: { team: 'new' } }));
    index.add(later);
    assertSameAggregates(index.aggregate({}), refAggregate(later));
    assertSameAggregates(index.aggregate({ tags: [['team', 'new']] }), refAggregate(later));
    assert.deepEqual(index.timeSpan({}), refTimeSpan(later));
  });

  it('never drops a row whose start time is not a number before the cutoff', () => {
    const index = build([rec(0), { ...rec(1), start_time: Number.NaN }, rec(2)]);
    assert.equal(index.dropBefore(T0 + 10 * STEP), 0);
    assert.equal(index.size, 3);
  });
});
