/**
 * The behaviour every `Analytics` engine must have (src/analytics/types.ts): each method checked
 * against the brute-force reference model (test/helpers/analytics-reference.ts) on the same
 * seeded records, without retention and with it. An engine's test file calls `analyticsContract`
 * once with a function that loads records into a fresh engine (rows, tags and daily rollups
 * written the way the service writes them), prunes what retention would have deleted, and hands
 * back the engine.
 *
 * Equality is exact for counts, token sums, percentiles and times; float sums (cost, durations)
 * and averages agree within 1e-9 relative, as an engine may add them up in another order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Analytics, GroupDimension, UsageQuery } from '../../src/analytics/types.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import {
  DAY_MS, USAGE_DIMENSIONS, USAGE_GRANULARITIES, type UsageDimension, type UsageFilter,
} from '../../src/domain/usage.js';
import {
  DIMENSION, HOUR, matches, randomRecords, refAggregate, refCompletion, refGroupBy, refTimeSpan, refTimeseries, refUsage,
  spreadRecords,
} from '../helpers/analytics-reference.js';

export interface AnalyticsRetention {
  /**
   * Request rows with start_time before this were deleted from the store (pruneRequests); the
   * engine is told so (its `retainedFrom()` answers this).
   */
  readonly retainedFrom?: number;
  /** A UTC midnight: the daily rollups of the days before it were deleted (pruneUsage). */
  readonly usageRetainedFrom?: number;
}

export interface OpenedAnalytics {
  readonly analytics: Analytics;
  close(): Promise<void>;
}

/** Writes `records` (in the order given) to a fresh store, applies `options`' retention, opens the engine over it. */
export type OpenAnalytics = (records: readonly RequestRecord[], options?: AnalyticsRetention) => Promise<OpenedAnalytics>;

/** Monday 2025-01-20: the data spans 75 UTC days to 2025-04-05, across ISO weeks and three month starts. */
export const FROM = Date.UTC(2025, 0, 20);
export const DAYS = 75;
const MINUTE = 60_000;
const day = (n: number): number => FROM + n * DAY_MS;

/** Retention floors used by the scenarios: off midnight (Wednesday 2025-02-19 07:13:00.017), and at midnights. */
export const RETAINED_FROM = day(30) + 7 * HOUR + 13 * MINUTE + 17;
const RETAINED_FROM_MIDNIGHT = day(30);
/** 2025-02-01, a Saturday and a month start. */
const USAGE_RETAINED_FROM = day(12);

/** Seeded records spread over the 75 days, plus rows right at each floor and day edge used below. */
export function contractRecords(): RequestRecord[] {
  // A few empty strings beside the nulls: '' is a value of its own.
  const spread = spreadRecords(3000, 21, FROM, DAYS).map((r, i) => (i % 89 === 7 ? { ...r, user: '', api_key_id: '' } : i % 131 === 9 ? { ...r, model: '' } : r));
  const edgeTimes = [
    RETAINED_FROM - 1, RETAINED_FROM, RETAINED_FROM + 1,
    RETAINED_FROM_MIDNIGHT - 1, RETAINED_FROM_MIDNIGHT, RETAINED_FROM_MIDNIGHT + 1,
    USAGE_RETAINED_FROM - 1, USAGE_RETAINED_FROM,
    day(0), day(DAYS) - 1, // the first and last millisecond of the data
  ];
  const edges = randomRecords(edgeTimes.length * 2, 99).map((r, i) => ({ ...r, start_time: edgeTimes[i % edgeTimes.length]! }));
  // Edge rows interleaved, so that they are not all at the end of the id order.
  const out = [...spread];
  edges.forEach((r, i) => out.splice(Math.floor(((i + 1) * out.length) / (edges.length + 1)), 0, r));
  return out;
}

// ---- comparisons ----

/** Keys whose numbers are float sums or their averages. */
const isFloatKey = (key: string): boolean => key === 'avg' || key.startsWith('avg_') || key === 'cost_usd' || key === 'duration_ms';

/**
 * deepEqual with object keys in any order, except that numbers under float keys (`avg`, `avg_*`,
 * `cost_usd`, `duration_ms` sums) need only agree within 1e-9 relative. Arrays keep their order.
 */
export function assertSame(actual: unknown, expected: unknown, where = '$', floatKey = false): void {
  if (floatKey && typeof actual === 'number' && typeof expected === 'number') {
    const tolerance = 1e-9 * Math.max(Math.abs(actual), Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: ${actual} ≉ ${expected}`);
    return;
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    assert.equal(actual, expected, where);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${where}: array vs object`);
  if (Array.isArray(expected)) assert.equal((actual as unknown[]).length, expected.length, `${where}: length`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);
  for (const key of Object.keys(expected)) {
    assertSame((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`, isFloatKey(key));
  }
}

// ---- the queries ----

const FILTERS: Record<string, StatsFilter> = {
  'no filter': {},
  start: { start: day(10) + 3 * HOUR },
  end: { end: day(50) },
  'start and end at UTC midnight': { start: day(5), end: day(6) },
  'a 17-minute range': { start: day(20) + 123_456, end: day(20) + 123_456 + 17 * MINUTE },
  'empty range (start = end)': { start: day(3) + HOUR, end: day(3) + HOUR },
  'end before start': { start: day(9), end: day(8) },
  model: { model: 'm-b' },
  endpoint: { endpoint: '/v1/responses' },
  streamed: { streamed: true },
  'not streamed': { streamed: false },
  'status success': { status: 'success' },
  'status error': { status: 'error' },
  apiKeyId: { apiKeyId: 'key_2' },
  user: { user: 'u3' },
  'empty user': { user: '' },
  'empty model': { model: '' },
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
  combined: { start: day(2), end: day(60), model: 'm-a', streamed: true, status: 'success', tags: [['team', 'green']] },
  'combined with key, user and endpoint': { apiKeyId: 'key_1', user: 'u7', endpoint: '/v1/chat/completions', status: 'error' },
  // Around the retention floors (plain ranges when there is no retention).
  'start before the floor': { start: RETAINED_FROM - 5 * DAY_MS },
  'start at the floor': { start: RETAINED_FROM },
  'start just after the floor': { start: RETAINED_FROM + 1 },
  'end before the floor': { end: RETAINED_FROM - 1 },
  'end at the floor': { end: RETAINED_FROM },
  'end just after the floor': { end: RETAINED_FROM + 1 },
  'a range across the floor, with a model': { start: RETAINED_FROM - 3 * HOUR, end: RETAINED_FROM + 3 * HOUR, model: 'm-a' },
  'a range across the midnight floor, with a user': { start: RETAINED_FROM_MIDNIGHT - DAY_MS, end: RETAINED_FROM_MIDNIGHT + DAY_MS, user: 'u5' },
  'after the last row': { start: day(DAYS) },
};

const TIMESERIES: ReadonlyArray<readonly [name: string, start: number, end: number, bucketMs: number]> = [
  ['the whole data by day', day(0), day(DAYS), DAY_MS],
  ['beyond the data on both sides by 6 hours, unaligned', day(0) - 5 * HOUR + 1, day(DAYS) + 7, 6 * HOUR],
  ['four days around the floor by hour', RETAINED_FROM - 2 * DAY_MS, RETAINED_FROM + 2 * DAY_MS, HOUR],
  ['five hours around the floor by 7 minutes', RETAINED_FROM - 3 * HOUR + 1234, RETAINED_FROM + 2 * HOUR, 7 * MINUTE],
  ['a day before the floor by hour', RETAINED_FROM - DAY_MS, RETAINED_FROM - 1, HOUR],
  ['one millisecond in a day bucket', day(0) + 12 * HOUR, day(0) + 12 * HOUR + 1, DAY_MS],
  ['two weeks by week (epoch-aligned buckets)', day(10), day(24), 7 * DAY_MS],
  ['across the midnight floor by 90 minutes', RETAINED_FROM_MIDNIGHT - 10 * HOUR, RETAINED_FROM_MIDNIGHT + 10 * HOUR, 90 * MINUTE],
];

const TIMESERIES_FILTERS: Record<string, StatsFilter> = {
  'no filter': {},
  model: { model: 'm-c' },
  tag: { tags: [['team', 'red']] },
  'unknown user': { user: 'nobody' },
  'status error, streamed': { status: 'error', streamed: true },
};

const USAGE_FILTERS: Record<string, UsageFilter> = {
  'no filter': {},
  model: { model: 'm-b' },
  endpoint: { endpoint: '/v1/responses' },
  streamed: { streamed: true },
  'not streamed': { streamed: false },
  'status error': { status: 'error' },
  'status success': { status: 'success' },
  apiKeyId: { apiKeyId: 'key_2' },
  user: { user: 'u3' },
  'empty user': { user: '' },
  'empty key': { apiKeyId: '' },
  combined: { model: 'm-a', streamed: true, status: 'success', apiKeyId: 'key_1' },
  'unknown model': { model: 'nope' },
};

const USAGE_RANGES: ReadonlyArray<readonly [name: string, start: number | null, end: number]> = [
  ['start and end at UTC midnight', day(3), day(40)],
  ['start and end off midnight', day(3) + 5 * HOUR, day(40) + 17 * HOUR + 1],
  ['start null (from the first day)', null, day(60) + 3 * HOUR],
  ['start null, end after the data', null, day(DAYS + 3)],
  ['start null, end before the data', null, day(-3)],
  ['inside one day', day(31) + HOUR, day(31) + 20 * HOUR],
  ['across one midnight, no whole day', day(5) + 10 * HOUR, day(6) + 5 * HOUR],
  ['across a week start at midnight, no whole day', day(6) + 15 * HOUR, day(7) + 2 * HOUR + 1],
  ['across one midnight and the floor', day(29) + 20 * HOUR, day(30) + 9 * HOUR],
  ['across a month start at midnight, no whole day', day(11) + 12 * HOUR, day(12) + 6 * HOUR],
  ['across two midnights, no whole day (a millisecond short at both ends)', day(20) + 1, day(22) - 1],
  ['one whole day and both edges', day(20) + 1, day(22) + 1],
  ['exactly one day', day(45), day(46)],
  ['a millisecond before midnight to midnight', day(14) - 1, day(14)],
  ['start at the floor', RETAINED_FROM, RETAINED_FROM + 3 * DAY_MS + 11],
  ['end at the floor', day(25) + 2 * HOUR, RETAINED_FROM],
  ['before the data into it', day(-10) + 3 * HOUR, day(8) + HOUR],
  ['after the data', day(DAYS + 20), day(DAYS + 30)],
  ['empty (start = end)', day(10), day(10)],
  ['end before start', day(10) + HOUR, day(9)],
];

const SCENARIOS: ReadonlyArray<readonly [name: string, retention: AnalyticsRetention]> = [
  ['no retention', {}],
  ['retained from a time off midnight', { retainedFrom: RETAINED_FROM }],
  ['retained from a UTC midnight, rollups before an earlier month start pruned', { retainedFrom: RETAINED_FROM_MIDNIGHT, usageRetainedFrom: USAGE_RETAINED_FROM }],
  ['retained from after the last row', { retainedFrom: day(DAYS) + 5 * HOUR }],
];

export function analyticsContract(name: string, open: OpenAnalytics): void {
  describe(`Analytics contract: ${name}`, () => {
    const records = contractRecords();

    describe('no rows at all', () => {
      let opened: OpenedAnalytics;
      before(async () => {
        opened = await open([]);
      });
      after(async () => {
        await opened?.close();
      });
      it('answers every query empty', async () => {
        const { analytics } = opened;
        assert.equal(await analytics.retainedFrom(), null);
        for (const filter of [{}, { model: 'm-a' }, { start: day(1), end: day(2) }] as StatsFilter[]) {
          assertSame(await analytics.aggregate(filter), refAggregate([]));
          for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) assert.deepEqual(await analytics.groupBy(dimension, filter), []);
          assert.equal(await analytics.timeSpan(filter), null);
          assertSame(await analytics.completionOverview(filter), refCompletion([]));
        }
        assertSame(await analytics.timeseries({ start: day(1), end: day(2) }, 6 * HOUR), refTimeseries([], day(1), day(2), 6 * HOUR));
        for (const start of [null, day(1)]) {
          const query: UsageQuery = { start, end: day(9), granularity: 'week', groupBy: 'model', filter: {} };
          assertSame(await analytics.usage(query), refUsage([], query));
        }
      });
    });

    for (const [scenario, retention] of SCENARIOS) {
      describe(scenario, () => {
        const floor = retention.retainedFrom ?? null;
        /** The rows the engine may answer from. */
        const kept = records.filter((r) => floor === null || r.start_time >= floor);
        let opened: OpenedAnalytics;
        let analytics: Analytics;
        before(async () => {
          opened = await open(records, retention);
          analytics = opened.analytics;
        });
        after(async () => {
          await opened?.close();
        });

        it('retainedFrom() names the floor (null without retention)', async () => {
          assert.equal(await analytics.retainedFrom(), floor);
        });

        for (const [filterName, filter] of Object.entries(FILTERS)) {
          const expected = kept.filter((r) => matches(r, filter));
          it(`aggregate: ${filterName}`, async () => {
            assertSame(await analytics.aggregate(filter), refAggregate(expected));
          });
          it(`groupBy, every dimension: ${filterName}`, async () => {
            for (const dimension of Object.keys(DIMENSION) as GroupDimension[]) {
              assertSame(await analytics.groupBy(dimension, filter), refGroupBy(expected, dimension), dimension);
            }
          });
          it(`timeSpan: ${filterName}`, async () => {
            assert.deepEqual(await analytics.timeSpan(filter), refTimeSpan(expected));
          });
          it(`completionOverview: ${filterName}`, async () => {
            assertSame(await analytics.completionOverview(filter), refCompletion(expected));
          });
        }

        for (const [seriesName, start, end, bucketMs] of TIMESERIES) {
          it(`timeseries: ${seriesName}, with and without filters`, async () => {
            for (const [filterName, extra] of Object.entries(TIMESERIES_FILTERS)) {
              const filter = { ...extra, start, end };
              const expected = kept.filter((r) => matches(r, filter));
              assertSame(await analytics.timeseries(filter, bucketMs), refTimeseries(expected, start, end, bucketMs), filterName);
            }
          });
        }

        for (const granularity of USAGE_GRANULARITIES) {
          for (const [rangeName, start, end] of USAGE_RANGES) {
            it(`usage by ${granularity}: ${rangeName}, every group-by × filter`, async () => {
              for (const groupBy of [null, ...USAGE_DIMENSIONS] as Array<UsageDimension | null>) {
                for (const [filterName, filter] of Object.entries(USAGE_FILTERS)) {
                  const query: UsageQuery = { start, end, granularity, groupBy, filter };
                  assertSame(await analytics.usage(query), refUsage(records, query, retention), `${groupBy ?? 'not grouped'} / ${filterName}`);
                }
              }
            });
          }
        }
      });
    }
  });
}
