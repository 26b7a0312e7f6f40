/**
 * `/stats/timeseries`: bucket boundaries, empty buckets, alignment, the default range and bucket,
 * the 500-bucket limit, filters, and per-bucket percentiles against the reference model.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { makeFailedRecord, makeRecord } from '../contract/records.js';
import {
  NOT_PARTIAL,
  type Api, assertClose, DAY0, generateRecords, matches, nearestRank, paramError, type Row, startApi,
} from '../helpers/analytics-harness.js';

const H = 3_600_000;
const NOW = DAY0 + 24 * H; // 2024-01-16T00:00:00Z

const EDGE_RECORDS: RequestRecord[] = [
  makeRecord({ start_time: DAY0 + 12 * H - 1, duration_ms: 1 }), // 11:59:59.999, before the range
  makeRecord({ start_time: DAY0 + 12 * H, duration_ms: 10, input_tokens: 1, output_tokens: 2, cost_usd: 0.5 }), // 12:00 exactly
  makeFailedRecord({ start_time: DAY0 + 13 * H - 1, duration_ms: 30, was_streamed: true, ttft_ms: 5 }), // 12:59:59.999
  makeRecord({ start_time: DAY0 + 13 * H, duration_ms: 20, was_streamed: true, ttft_ms: 7, tokens_per_second: 33 }), // 13:00
  makeRecord({ start_time: DAY0 + 15.5 * H, duration_ms: 40, model: 'model-b', cost_usd: 0.25 }), // 15:30
  makeRecord({ start_time: DAY0 + 16 * H, duration_ms: 50 }), // 16:00, the (exclusive) end
];

const NULLS = { p50: null, p95: null, p99: null };
const EMPTY_BUCKET = {
  requests: 0, errors: 0, streamed: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0,
  duration_ms: NULLS, ttft_ms: NULLS, tokens_per_second: NULLS,
};
const iso = (ms: number): string => new Date(ms).toISOString();
const p = (v: number) => ({ p50: v, p95: v, p99: v });

describe('timeseries bucket boundaries', () => {
  let api: Api;
  before(async () => {
    api = await startApi(EDGE_RECORDS, { now: () => NOW });
  });
  after(() => api.close());

  it('12:00–16:00 by 1h: start inclusive, end exclusive, the empty 14:00 bucket included', async () => {
    assert.deepEqual(await api.get('/stats/timeseries?start=2024-01-15T12:00:00Z&end=2024-01-15T16:00:00Z&bucket=1h'), {
      status: 200,
      body: {
        start: '2024-01-15T12:00:00.000Z',
        end: '2024-01-15T16:00:00.000Z',
        bucket: '1h',
        bucket_ms: H,
        buckets: [
          {
            start: '2024-01-15T12:00:00.000Z', requests: 2, errors: 1, streamed: 1, input_tokens: 1, output_tokens: 2, cost_usd: 0.5,
            duration_ms: { p50: 10, p95: 30, p99: 30 }, ttft_ms: p(5), tokens_per_second: p(10),
          },
          {
            start: '2024-01-15T13:00:00.000Z', requests: 1, errors: 0, streamed: 1, input_tokens: 10, output_tokens: 20, cost_usd: 0,
            duration_ms: p(20), ttft_ms: p(7), tokens_per_second: p(33),
          },
          { start: '2024-01-15T14:00:00.000Z', ...EMPTY_BUCKET },
          {
            start: '2024-01-15T15:00:00.000Z', requests: 1, errors: 0, streamed: 0, input_tokens: 10, output_tokens: 20, cost_usd: 0.25,
            duration_ms: p(40), ttft_ms: NULLS, tokens_per_second: p(10),
          },
        ],
        ...NOT_PARTIAL,
      },
    });
  });

  it('an unaligned start: buckets aligned down (UTC), rows before start left out', async () => {
    const { body } = await api.get('/stats/timeseries?start=2024-01-15T12:30:00Z&end=2024-01-15T14:10:00Z&bucket=1h');
    assert.equal(body.start, '2024-01-15T12:30:00.000Z');
    assert.deepEqual(body.buckets.map((b: { start: string; requests: number }) => [b.start, b.requests]), [
      ['2024-01-15T12:00:00.000Z', 1],
      ['2024-01-15T13:00:00.000Z', 1],
      ['2024-01-15T14:00:00.000Z', 0],
    ]);
  });

  it('filters apply per bucket; a timezone offset names the same buckets', async () => {
    const { body } = await api.get('/stats/timeseries?start=2024-01-15T13:00:00%2B01:00&end=2024-01-15T17:00:00%2B01:00&bucket=1h&model=model-b');
    assert.deepEqual(body.buckets.map((b: { start: string; requests: number }) => [b.start, b.requests]), [
      ['2024-01-15T12:00:00.000Z', 0],
      ['2024-01-15T13:00:00.000Z', 0],
      ['2024-01-15T14:00:00.000Z', 0],
      ['2024-01-15T15:00:00.000Z', 1],
    ]);
  });

  it('defaults: end = now, start = end − 24 h, the smallest bucket giving ≤ 500 (5m: 288)', async () => {
    const { body } = await api.get('/stats/timeseries');
    assert.deepEqual([body.start, body.end, body.bucket, body.bucket_ms], ['2024-01-15T00:00:00.000Z', '2024-01-16T00:00:00.000Z', '5m', 300_000]);
    assert.equal(body.buckets.length, 288);
    assert.equal(body.buckets[0].start, '2024-01-15T00:00:00.000Z');
    assert.equal(body.buckets[287].start, '2024-01-15T23:55:00.000Z');
    assert.equal(body.buckets.reduce((a: number, b: { requests: number }) => a + b.requests, 0), 6);
    assert.equal(body.buckets[144].start, '2024-01-15T12:00:00.000Z');
    assert.equal(body.buckets[144].requests, 1);
  });

  it('only end: start = end − 24 h; only start: end = now', async () => {
    const onlyEnd = (await api.get('/stats/timeseries?end=2024-01-15T14:00:00Z')).body;
    assert.deepEqual([onlyEnd.start, onlyEnd.end, onlyEnd.bucket], ['2024-01-14T14:00:00.000Z', '2024-01-15T14:00:00.000Z', '5m']);
    const onlyStart = (await api.get('/stats/timeseries?start=2024-01-15T20:00:00Z')).body;
    assert.deepEqual([onlyStart.start, onlyStart.end, onlyStart.bucket, onlyStart.buckets.length], [
      '2024-01-15T20:00:00.000Z', '2024-01-16T00:00:00.000Z', '1m', 240,
    ]);
  });

  it('start=first: from the oldest request matching the other filters; none matching: the default day', async () => {
    const all = (await api.get('/stats/timeseries?start=first')).body;
    assert.deepEqual([all.start, all.end, all.bucket], ['2024-01-15T11:59:59.999Z', '2024-01-16T00:00:00.000Z', '5m']);
    assert.equal(all.buckets.reduce((a: number, b: { requests: number }) => a + b.requests, 0), 6);
    const modelB = (await api.get('/stats/timeseries?model=model-b&start=first&bucket=1h')).body;
    assert.deepEqual([modelB.start, modelB.buckets.length, modelB.buckets[0].requests], ['2024-01-15T15:30:00.000Z', 9, 1]);
    const beforeEnd = (await api.get('/stats/timeseries?start=first&end=2024-01-15T13:00:00Z')).body;
    assert.deepEqual([beforeEnd.start, beforeEnd.end], ['2024-01-15T11:59:59.999Z', '2024-01-15T13:00:00.000Z']);
    const none = (await api.get('/stats/timeseries?start=first&model=nope')).body;
    assert.deepEqual([none.start, none.end, none.buckets.length], ['2024-01-15T00:00:00.000Z', '2024-01-16T00:00:00.000Z', 288]);
    assert.deepEqual(
      await api.get('/stats/timeseries?start=first&start=2024-01-15'),
      paramError('start', 'start may be given only once, got 2 values'),
    );
  });

  it('default bucket: exactly 500 one-minute buckets is 1m, 501 is 5m; unaligned ends count', async () => {
    const at500 = (await api.get('/stats/timeseries?start=2024-01-15T12:00:00Z&end=2024-01-15T20:20:00Z')).body;
    assert.deepEqual([at500.bucket, at500.buckets.length], ['1m', 500]);
    const at501 = (await api.get('/stats/timeseries?start=2024-01-15T12:00:00Z&end=2024-01-15T20:20:00.001Z')).body;
    assert.deepEqual([at501.bucket, at501.buckets.length], ['5m', 101]);
    const unaligned = (await api.get('/stats/timeseries?start=2024-01-15T12:00:30Z&end=2024-01-15T20:20:00Z')).body;
    assert.deepEqual([unaligned.bucket, unaligned.buckets.length], ['1m', 500]);
    const long = (await api.get('/stats/timeseries?start=2024-01-01&end=2025-01-01')).body;
    assert.deepEqual([long.bucket, long.buckets.length], ['1d', 366]);
    const week = (await api.get('/stats/timeseries?start=2024-01-08&end=2024-01-15T00:00:00.000Z')).body;
    assert.deepEqual([week.bucket, week.buckets.length], ['1h', 168]);
  });

  it('every bucket size', async () => {
    for (const [bucket, ms] of [['1m', 60_000], ['5m', 300_000], ['15m', 900_000], ['1h', H], ['6h', 6 * H], ['1d', 24 * H]] as const) {
      const { body } = await api.get(`/stats/timeseries?start=2024-01-15T12:00:00Z&end=2024-01-15T16:00:00Z&bucket=${bucket}`);
      assert.equal(body.bucket_ms, ms, bucket);
      assert.equal(body.buckets.length, Math.ceil((DAY0 + 16 * H - Math.floor((DAY0 + 12 * H) / ms) * ms) / ms), bucket);
      assert.equal(body.buckets.reduce((a: number, b: { requests: number }) => a + b.requests, 0), 4, bucket);
    }
  });

  describe('validation', () => {
    const cases: ReadonlyArray<readonly [string, ReturnType<typeof paramError>]> = [
      ['bucket=1m', paramError('bucket', 'bucket=1m gives 1440 buckets from start to end, more than 500; use a larger bucket or a shorter range')],
      ['start=2024-01-15T12:00:00Z&end=2024-01-15T20:21:00Z&bucket=1m', paramError('bucket', 'bucket=1m gives 501 buckets from start to end, more than 500; use a larger bucket or a shorter range')],
      ['start=2023-01-01&end=2024-06-01&bucket=1d', paramError('bucket', 'bucket=1d gives 517 buckets from start to end, more than 500; use a larger bucket or a shorter range')],
      ['start=2023-01-01&end=2024-06-01', paramError('start', 'the range from start to end needs more than 500 buckets even at bucket=1d; shorten it')],
      ['bucket=2m', paramError('bucket', 'bucket must be one of 1m, 5m, 15m, 1h, 6h, 1d, got "2m"')],
      ['bucket=1H', paramError('bucket', 'bucket must be one of 1m, 5m, 15m, 1h, 6h, 1d, got "1H"')],
      ['bucket=', paramError('bucket', 'bucket must be one of 1m, 5m, 15m, 1h, 6h, 1d, got ""')],
      ['bucket=60000', paramError('bucket', 'bucket must be one of 1m, 5m, 15m, 1h, 6h, 1d, got "60000"')],
      ['bucket=1h&bucket=1d', paramError('bucket', 'bucket may be given only once, got 2 values')],
      ['start=2024-01-16T00:00:00Z', paramError('end', 'end must be later than start, got start=2024-01-16T00:00:00.000Z and end=2024-01-16T00:00:00.000Z (end defaults to now)')],
      ['start=2024-01-17', paramError('end', 'end must be later than start, got start=2024-01-17T00:00:00.000Z and end=2024-01-16T00:00:00.000Z (end defaults to now)')],
      ['start=2024-01-15T12:00:00Z&end=2024-01-15T11:00:00Z', paramError('end', 'end must be later than start, got start=2024-01-15T12:00:00.000Z and end=2024-01-15T11:00:00.000Z')],
    ];
    for (const [query, expected] of cases) {
      it(`?${query} → 400`, async () => {
        assert.deepEqual(await api.get(`/stats/timeseries?${query}`), expected);
      });
    }
  });
});

/** The reference bucket list of `rows` in [start, end) by bucketMs (aligned down). */
function refBuckets(rows: readonly Row[], f: StatsFilter & { start: number; end: number }, bucketMs: number) {
  const first = Math.floor(f.start / bucketMs) * bucketMs;
  const count = Math.ceil((f.end - first) / bucketMs);
  return Array.from({ length: count }, (_, b) => {
    const from = first + b * bucketMs;
    const rs = rows.map((r) => r.record).filter((r) => matches(r, f) && r.start_time >= from && r.start_time < from + bucketMs);
    const pct = (values: Array<number | null>) => {
      const v = values.filter((x): x is number => x !== null);
      return { p50: nearestRank(v, 50), p95: nearestRank(v, 95), p99: nearestRank(v, 99) };
    };
    const total = (values: Array<number | null>) => values.reduce<number>((a, x) => a + (x ?? 0), 0);
    return {
      start: iso(from),
      requests: rs.length,
      errors: rs.filter((r) => r.is_error).length,
      streamed: rs.filter((r) => r.was_streamed).length,
      input_tokens: total(rs.map((r) => r.input_tokens)),
      output_tokens: total(rs.map((r) => r.output_tokens)),
      cost_usd: total(rs.map((r) => r.cost_usd)),
      duration_ms: pct(rs.map((r) => r.duration_ms)),
      ttft_ms: pct(rs.map((r) => r.ttft_ms)),
      tokens_per_second: pct(rs.map((r) => r.tokens_per_second)),
    };
  });
}

describe('timeseries on a generated set', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(700, 99));
  });
  after(() => api.close());

  const cases: ReadonlyArray<readonly [string, StatsFilter & { start: number; end: number }, number]> = [
    ['start=2024-01-15&end=2024-01-16&bucket=1h', { start: DAY0, end: DAY0 + 24 * H }, H],
    ['start=2024-01-15T01:17:00Z&end=2024-01-15T23:05:00Z&bucket=15m', { start: DAY0 + 77 * 60_000, end: DAY0 + 23 * H + 5 * 60_000 }, 900_000],
    ['start=2024-01-14T22:00:00Z&end=2024-01-16T03:00:00Z&bucket=6h', { start: DAY0 - 2 * H, end: DAY0 + 27 * H }, 6 * H],
    ['start=2024-01-15&end=2024-01-16&bucket=1d&status=error', { start: DAY0, end: DAY0 + 24 * H, status: 'error' }, 24 * H],
    [
      'start=2024-01-15T06:00:00Z&end=2024-01-15T18:00:00Z&bucket=1h&streamed=true&tag=team:red&tag=env:dev',
      { start: DAY0 + 6 * H, end: DAY0 + 18 * H, streamed: true, tags: [['team', 'red'], ['env', 'dev']] },
      H,
    ],
  ];
  for (const [query, filter, bucketMs] of cases) {
    it(`?${query}: every bucket matches the reference`, async () => {
      const { status, body } = await api.get(`/stats/timeseries?${query}`);
      assert.equal(status, 200);
      assert.equal(body.bucket_ms, bucketMs);
      assertClose(body.buckets, refBuckets(api.rows, filter, bucketMs));
      assert.ok(body.buckets.some((b: { requests: number }) => b.requests > 1), 'some bucket has several rows');
    });
  }
});
