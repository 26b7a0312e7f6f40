/**
 * The analytics index against a brute-force reference (filter an array, sort for percentiles)
 * on random records with nulls and duplicates: every filter alone and combined, every query.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import type { GroupDimension } from '../../src/analytics/types.js';
import { assertSameAggregates } from '../helpers/analytics-harness.js';
import {
  DIMENSION, HOUR, matches, randomRecords, refAggregate, refCompletion, refGroupBy, refTimeSpan, refTimeseries, sortKeys, T0,
} from '../helpers/analytics-reference.js';

// ---- the comparisons ----

const RECORDS = randomRecords(6000, 7);
const index = new AnalyticsIndex();
// Several batches, so the columns grow (and their capacity doubles) between them.
for (let i = 0; i < RECORDS.length; i += 1700) index.add(RECORDS.slice(i, i + 1700));

const FILTERS: Record<string, StatsFilter> = {
  'no filter': {},
  start: { start: T0 + 10 * HOUR },
  end: { end: T0 + 30 * HOUR },
  'start and end (on hour boundaries)': { start: T0 + 5 * HOUR, end: T0 + 6 * HOUR },
  'a 17-minute range': { start: T0 + 20 * HOUR + 123_456, end: T0 + 20 * HOUR + 123_456 + 17 * 60_000 },
  'empty range (start = end)': { start: T0 + HOUR, end: T0 + HOUR },
  model: { model: 'm-b' },
  endpoint: { endpoint: '/v1/responses' },
  streamed: { streamed: true },
  'not streamed': { streamed: false },
  'status success': { status: 'success' },
  'status error': { status: 'error' },
  apiKeyId: { apiKeyId: 'key_2' },
  user: { user: 'u3' },
  'one tag': { tags: [['team', 'red']] },
  'two tags': { tags: [['team', 'blue'], ['env', 'prod']] },
  'the same tag twice': { tags: [['env', 'dev'], ['env', 'dev']] },
  'two values of one tag key': { tags: [['team', 'blue'], ['team', 'red']] },
  'unknown model': { model: 'nope' },
  'unknown endpoint': { endpoint: '/v1/nope' },
  'unknown key': { apiKeyId: 'key_9' },
  'unknown user': { user: 'nobody' },
  'unknown tag value': { tags: [['team', 'purple']] },
  'unknown tag key': { tags: [['nope', 'red']] },
  combined: { start: T0 + 2 * HOUR, end: T0 + 40 * HOUR, model: 'm-a', streamed: true, status: 'success', tags: [['team', 'green']] },
  'combined with key, user and endpoint': { apiKeyId: 'key_1', user: 'u7', endpoint: '/v1/chat/completions', status: 'error' },
};

describe('analytics index vs brute-force reference', () => {
  it('holds every record', () => assert.equal(index.size, RECORDS.length));

  for (const [name, filter] of Object.entries(FILTERS)) {
    const expected = RECORDS.filter((r) => matches(r, filter));
    it(`aggregate: ${name}`, () => assertSameAggregates(index.aggregate(filter), refAggregate(expected)));
    it(`groupBy (all dimensions): ${name}`, () => {
      for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
        assertSameAggregates(index.groupBy(dimension, filter), refGroupBy(expected, dimension), dimension);
      }
    });
    it(`timeSpan: ${name}`, () => assert.deepEqual(index.timeSpan(filter), refTimeSpan(expected)));
    it(`completionOverview: ${name}`, () => {
      assertSameAggregates(sortKeys(index.completionOverview(filter)), sortKeys(refCompletion(expected)));
    });
  }

  for (const [start, end, bucketMs] of [
    [T0, T0 + 48 * HOUR, HOUR],
    [T0, T0 + 48 * HOUR, 12 * HOUR],
    [T0 - 5 * HOUR + 1, T0 + 50 * HOUR - 1, 3 * HOUR],
    [T0 + 7 * HOUR + 1234, T0 + 9 * HOUR, 60_000],
    [T0 + 12 * HOUR, T0 + 12 * HOUR + 1, 86_400_000],
  ] as const) {
    it(`timeseries ${start - T0}..${end - T0} by ${bucketMs} ms, with and without a filter`, () => {
      for (const extra of [{}, { model: 'm-c' }, { tags: [['team', 'red']] as [string, string][] }, { user: 'nobody' }]) {
        const filter = { ...extra, start, end };
        const expected = RECORDS.filter((r) => matches(r, filter));
        assertSameAggregates(index.timeseries(filter, bucketMs), refTimeseries(expected, start, end, bucketMs));
      }
    });
  }
});

describe('analytics index vs brute-force reference: pre-computed partials and many groups', () => {
  // Enough rows for two sealed segments (rollups.ts) and a tail; in time order, so that time
  // filters select contiguous rows and whole blocks and segments are merged, not scanned. Users
  // are many (1,500): a group-by beyond the interleaved limit, segments without user partials.
  const records = randomRecords(150_000, 11)
    .map((r, i) => ({ ...r, user: i % 10 === 0 ? null : `u${(i * 7919) % 1500}` }))
    .sort((a, b) => a.start_time - b.start_time);
  const large = new AnalyticsIndex();
  for (let i = 0; i < records.length; i += 40_000) large.add(records.slice(i, i + 40_000));
  const filters: Record<string, StatsFilter> = {
    'no filter': {},
    start: { start: T0 + 7 * HOUR + 1 },
    'start and end': { start: T0 + 3 * HOUR, end: T0 + 41 * HOUR + 17 },
    'a narrow window': { start: T0 + 20 * HOUR + 1, end: T0 + 20 * HOUR + 600_000 },
    model: { model: 'm-a' },
  };
  for (const [name, filter] of Object.entries(filters)) {
    const expected = records.filter((r) => matches(r, filter));
    it(`aggregate, groupBy (all dimensions), completionOverview and timeSpan: ${name}`, () => {
      assertSameAggregates(large.aggregate(filter), refAggregate(expected));
      for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
        assertSameAggregates(large.groupBy(dimension, filter), refGroupBy(expected, dimension), dimension);
      }
      assertSameAggregates(sortKeys(large.completionOverview(filter)), sortKeys(refCompletion(expected)));
      assert.deepEqual(large.timeSpan(filter), refTimeSpan(expected));
    });
  }
  it("timeseries by 12 hours (buckets holding whole chunks), by hour and by 7 minutes over the whole range", () => {
    for (const bucketMs of [12 * HOUR, HOUR, 7 * 60_000]) {
      const filter = { start: T0 - HOUR, end: T0 + 49 * HOUR };
      assertSameAggregates(large.timeseries(filter, bucketMs), refTimeseries(records, filter.start, filter.end, bucketMs));
    }
  });
});

describe('analytics index vs brute-force reference: rows out of time order', () => {
  // A row is stored when its request ends, so a long request lands among later ones. Here one
  // block in the middle of a chunk lies wholly in the next hour: the chunk spans two buckets.
  const records = randomRecords(4096 * 3, 5).map((r, i) => {
    const late = i >= 5 * 256 && i < 6 * 256;
    return { ...r, start_time: T0 + (late ? HOUR + i : i * 100) };
  });
  const index = new AnalyticsIndex();
  index.add(records);
  it('timeseries by hour puts the late block in its own bucket', () => {
    const filter = { start: T0, end: T0 + 3 * HOUR };
    assertSameAggregates(index.timeseries(filter, HOUR), refTimeseries(records, filter.start, filter.end, HOUR));
  });
  it('aggregate and groupBy over the whole span still merge the chunks', () => {
    const filter = { start: T0, end: T0 + 3 * HOUR };
    assertSameAggregates(index.aggregate(filter), refAggregate(records));
    assertSameAggregates(index.groupBy('streamed', filter), refGroupBy(records, 'streamed'), 'streamed');
  });
});
