/**
 * The index's narrow columns widen when a value does not fit, and answers stay exact: metrics
 * stored as value × 1000 in 32 bits switch to 64-bit floats (values with more than 3 decimals,
 * too large, -0), token counts from 16 to 32 bits, dictionary ids from 8 to 16 to 32 bits —
 * also after ranges were sealed into partials before the switch.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import type { GroupDimension } from '../../src/analytics/types.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import { assertSameAggregates } from '../helpers/analytics-harness.js';
import {
  DIMENSION, HOUR, matches, randomRecords, refAggregate, refCompletion, refGroupBy, refTimeseries, sortKeys, T0,
} from '../helpers/analytics-reference.js';

function assertMatchesReference(index: AnalyticsIndex, records: readonly RequestRecord[], filter: StatsFilter, where: string): void {
  const expected = records.filter((r) => matches(r, filter));
  assertSameAggregates(index.aggregate(filter), refAggregate(expected), `${where}: aggregate`);
  for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
    assertSameAggregates(index.groupBy(dimension, filter), refGroupBy(expected, dimension), `${where}: groupBy ${dimension}`);
  }
  assertSameAggregates(sortKeys(index.completionOverview(filter)), sortKeys(refCompletion(expected)), `${where}: completionOverview`);
  const start = filter.start ?? T0;
  const range = { ...filter, start, end: start + 48 * HOUR };
  assertSameAggregates(index.timeseries(range, 4 * HOUR), refTimeseries(records.filter((r) => matches(r, range)), range.start, range.end, 4 * HOUR), `${where}: timeseries`);
}

/** In time order, so that time filters merge sealed blocks, chunks and segments. */
function ordered(count: number, seed: number): RequestRecord[] {
  return randomRecords(count, seed).sort((a, b) => a.start_time - b.start_time);
}

const FILTERS: Record<string, StatsFilter> = {
  all: {},
  'from hour 3': { start: T0 + 3 * HOUR },
  'hours 10 to 30, streamed': { start: T0 + 10 * HOUR, end: T0 + 30 * HOUR, streamed: true },
  model: { model: 'm-a' },
};

describe('analytics index: metric columns switch to floats when a value does not fit', () => {
  const cases: [string, keyof RequestRecord, (i: number) => number][] = [
    ['durations with more than 3 decimals', 'duration_ms', (i) => (i % 97) / 3],
    ['TTFTs beyond 32 bits × 1000', 'ttft_ms', (i) => 3e6 + i + 0.25],
    ['tokens/s like 0.1 + 0.2', 'tokens_per_second', (i) => (i % 13) * 0.1 + 0.2],
    ['TTLTs with a -0', 'ttlt_ms', (i) => (i % 2 === 0 ? -0 : 250.125)],
  ];
  for (const [name, field, value] of cases) {
    it(`${name}: exact answers before, across and after the switch`, () => {
      // 70,000 rows: the switch comes after a sealed segment, chunks and blocks.
      const records = ordered(70_000, 31).map((r, i) => (i >= 66_000 && i % 5 === 0 && r[field] !== null ? { ...r, [field]: value(i) } : r));
      const index = new AnalyticsIndex();
      index.add(records.slice(0, 66_000));
      assertMatchesReference(index, records.slice(0, 66_000), {}, `${name}, before`);
      for (let i = 66_000; i < records.length; i += 1000) index.add(records.slice(i, i + 1000));
      for (const label of ['all', 'from hour 3', 'hours 10 to 30, streamed']) assertMatchesReference(index, records, FILTERS[label]!, `${name}, ${label}`);
    });
  }

  it('keeps -0 as recorded (the percentiles of one -0 duration are -0)', () => {
    const index = new AnalyticsIndex();
    index.add([{ ...randomRecords(1, 1)[0]!, duration_ms: -0 }]);
    assert.ok(Object.is(index.aggregate({}).duration_ms.p50, -0));
  });
});

describe('analytics index: token and dictionary columns widen', () => {
  it('token counts beyond 65,535', () => {
    const records = ordered(20_000, 32).map((r, i) => (i % 7 === 0 && r.input_tokens !== null
      ? { ...r, input_tokens: 70_000 + i, total_tokens: 2_000_000_000 + i, cached_input_tokens: 65_536, reasoning_tokens: 1e12 }
      : r));
    const index = new AnalyticsIndex();
    for (let i = 0; i < records.length; i += 3000) index.add(records.slice(i, i + 3000));
    // Token counts are clamped to 2^31 - 1, as before.
    const clamped = records.map((r) => (r.reasoning_tokens !== null && r.reasoning_tokens > 0x7fffffff ? { ...r, reasoning_tokens: 0x7fffffff } : r));
    for (const [label, filter] of Object.entries(FILTERS)) assertMatchesReference(index, clamped, filter, label);
  });

  it('dictionaries beyond 127 and 32,767 values', () => {
    const records = ordered(40_000, 33).map((r, i) => ({ ...r, user: `user-${i}`, api_key_id: `key_${i % 300}` }));
    const index = new AnalyticsIndex();
    for (let i = 0; i < records.length; i += 5000) index.add(records.slice(i, i + 5000));
    assertSameAggregates(index.aggregate({ user: 'user-39999' }), refAggregate(records.slice(39_999)));
    assertSameAggregates(index.aggregate({ user: 'user-5' }), refAggregate([records[5]!]));
    assertSameAggregates(index.aggregate({ apiKeyId: 'key_299', start: T0 + HOUR }), refAggregate(records.filter((r) => matches(r, { apiKeyId: 'key_299', start: T0 + HOUR }))));
    assertSameAggregates(index.groupBy('api_key_id', {}), refGroupBy(records, 'api_key_id'));
    const users = index.groupBy('user', { start: T0 + 20 * HOUR, end: T0 + 21 * HOUR });
    assertSameAggregates(users, refGroupBy(records.filter((r) => matches(r, { start: T0 + 20 * HOUR, end: T0 + 21 * HOUR })), 'user'));
  });
});
