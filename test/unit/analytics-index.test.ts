/** The analytics index on small hand-made data: semantics, ordering, boundaries, edge cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalyticsIndex, MAX_TIMESERIES_BUCKETS } from '../../src/analytics/analytics-index.js';
import type { Aggregate } from '../../src/analytics/types.js';
import type { RequestRecord } from '../../src/domain/request-record.js';

const T0 = Date.UTC(2025, 5, 1, 12);
const EMPTY = { count: 0, avg: null, p50: null, p95: null, p99: null };
const ZERO: Aggregate = {
  requests: 0, successful: 0, errors: 0, streamed: 0, requests_with_usage: 0, input_tokens: 0, output_tokens: 0,
  total_tokens: 0, cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, priced_requests: 0,
  duration_ms: EMPTY, ttft_ms: EMPTY, tokens_per_second: EMPTY,
};

function rec(over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    start_time: T0, method: 'POST', endpoint: '/v1/chat/completions', model: 'm', response_model: null, status_code: 200,
    is_error: false, error_type: null, error_message: null, was_streamed: false, input_tokens: null, output_tokens: null,
    total_tokens: null, cached_input_tokens: null, reasoning_tokens: null, usage_source: 'none', ttft_ms: null, ttlt_ms: null,
    duration_ms: 100, tokens_per_second: null, finish_reason: null, message_count: null, origin: null, api_key_id: null,
    user: null, tags: {}, cost_usd: null, ...over,
  };
}

function indexOf(records: RequestRecord[]): AnalyticsIndex {
  const index = new AnalyticsIndex();
  index.add(records);
  return index;
}

describe('analytics index: empty', () => {
  const index = new AnalyticsIndex();
  it('has size 0 and answers zeros, nulls and empty lists', () => {
    assert.equal(index.size, 0);
    assert.deepEqual(index.aggregate({}), ZERO);
    assert.deepEqual(index.groupBy('model', {}), []);
    assert.deepEqual(index.timeseries({ start: T0, end: T0 + 3000 }, 1000), [
      { start: T0, aggregate: ZERO }, { start: T0 + 1000, aggregate: ZERO }, { start: T0 + 2000, aggregate: ZERO },
    ]);
    const side = index.completionOverview({}).streamed;
    assert.deepEqual(side, {
      total: 0, successful: 0, failed: 0, tokens_reported: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0,
      avg_tokens_per_second: null, error_types: {}, avg_duration_ms: null, avg_ttft_ms: null, avg_ttlt_ms: null, avg_generation_ms: null,
    });
    assert.deepEqual(index.completionOverview({}).model_distribution, {});
  });
});

describe('analytics index: aggregate semantics', () => {
  const index = indexOf([
    rec({ usage_source: 'reported', input_tokens: 10, output_tokens: 5, total_tokens: 15, cached_input_tokens: 4, cost_usd: 0.5, tokens_per_second: 10, duration_ms: 300 }),
    rec({ usage_source: 'reported', input_tokens: 20, output_tokens: null, total_tokens: 20, reasoning_tokens: 3, cost_usd: 0.25, duration_ms: 100 }),
    rec({ is_error: true, error_type: 'upstream_status', was_streamed: true, ttft_ms: 40, tokens_per_second: 30, duration_ms: 200 }),
    rec({ tokens_per_second: Number.NaN, cost_usd: Number.POSITIVE_INFINITY, duration_ms: 400 }),
  ]);
  it('sums ignore nulls, cost counts priced requests, averages are over present values', () => {
    assert.deepEqual(index.aggregate({}), {
      requests: 4, successful: 3, errors: 1, streamed: 1, requests_with_usage: 2,
      input_tokens: 30, output_tokens: 5, total_tokens: 35, cached_input_tokens: 4, reasoning_tokens: 3,
      cost_usd: 0.75, priced_requests: 2,
      duration_ms: { count: 4, avg: 250, p50: 200, p95: 400, p99: 400 },
      ttft_ms: { count: 1, avg: 40, p50: 40, p95: 40, p99: 40 },
      tokens_per_second: { count: 2, avg: 20, p50: 10, p95: 30, p99: 30 },
    });
  });
});

describe('analytics index: time boundaries', () => {
  const index = indexOf([999, 1000, 1999, 2000, 2999, 3000].map((dt) => rec({ start_time: T0 + dt, duration_ms: dt })));
  it('start is inclusive, end exclusive', () => {
    assert.equal(index.aggregate({ start: T0 + 1000, end: T0 + 3000 }).requests, 4);
    assert.deepEqual(index.aggregate({ start: T0 + 1000, end: T0 + 3000 }).duration_ms.p99, 2999);
    assert.equal(index.aggregate({ start: T0 + 1000 }).requests, 5);
    assert.equal(index.aggregate({ end: T0 + 1000 }).requests, 1);
    assert.equal(index.aggregate({ start: T0 + 3001 }).requests, 0);
    assert.equal(index.aggregate({ start: T0 + 2000, end: T0 + 2000 }).requests, 0);
  });
  it('time buckets are aligned to multiples of bucketMs since the epoch; a row on a boundary opens the next bucket', () => {
    const buckets = index.timeseries({ start: T0 + 1500, end: T0 + 3500 }, 1000);
    assert.deepEqual(buckets.map((b) => [b.start - T0, b.aggregate.requests]), [[1000, 1], [2000, 2], [3000, 1]]);
    assert.deepEqual(buckets[0]?.aggregate.duration_ms.p50, 1999);
  });
  it('empty buckets are present with zero counts and null distributions', () => {
    const buckets = index.timeseries({ start: T0 - 2000, end: T0 + 1000 }, 1000);
    assert.deepEqual(buckets.map((b) => b.start - T0), [-2000, -1000, 0]);
    assert.deepEqual(buckets[0]?.aggregate, ZERO);
    assert.deepEqual(buckets[1]?.aggregate, ZERO);
    assert.equal(buckets[2]?.aggregate.requests, 1);
  });
  it('no buckets when end ≤ start; bad bucket sizes and too many buckets are RangeErrors', () => {
    assert.deepEqual(index.timeseries({ start: T0, end: T0 }, 1000), []);
    assert.throws(() => index.timeseries({ start: T0, end: T0 + 10 }, 0), RangeError);
    assert.throws(() => index.timeseries({ start: T0, end: T0 + 10 }, Number.NaN), RangeError);
    assert.throws(() => index.timeseries({ start: T0, end: T0 + MAX_TIMESERIES_BUCKETS + 1 }, 1), RangeError);
    assert.equal(index.timeseries({ start: T0, end: T0 + MAX_TIMESERIES_BUCKETS }, 1).length, MAX_TIMESERIES_BUCKETS);
  });
});

describe('analytics index: groupBy', () => {
  const index = indexOf([
    rec({ model: 'b', user: 'x' }), rec({ model: 'a', user: 'x' }), rec({ model: null, user: null }),
    rec({ model: 'c' }), rec({ model: 'c' }), rec({ model: null }), rec({ model: 'a' }), rec({ model: 'b', api_key_id: 'key_1' }),
  ]);
  it('orders by requests, most first; ties by key ascending with null last', () => {
    assert.deepEqual(index.groupBy('model', {}).map((g) => [g.key, g.aggregate.requests]), [['a', 2], ['b', 2], ['c', 2], [null, 2]]);
    assert.deepEqual(index.groupBy('user', {}).map((g) => [g.key, g.aggregate.requests]), [[null, 6], ['x', 2]]);
    assert.deepEqual(index.groupBy('api_key_id', { model: 'b' }).map((g) => g.key), ['key_1', null]);
    assert.deepEqual(index.groupBy('endpoint', {}).map((g) => [g.key, g.aggregate.requests]), [['/v1/chat/completions', 8]]);
  });
  it('returns no groups when nothing matches', () => {
    assert.deepEqual(index.groupBy('model', { user: 'nobody' }), []);
    assert.deepEqual(index.groupBy('model', { start: T0 + 1 }), []);
  });
});

describe('analytics index: completionOverview', () => {
  const records = [
    rec({ was_streamed: true, ttft_ms: 100, ttlt_ms: 400, duration_ms: 500, usage_source: 'reported', input_tokens: 10, output_tokens: 30, total_tokens: 40, tokens_per_second: 100, origin: 'https://app.example' }),
    rec({ was_streamed: true, ttft_ms: 50, ttlt_ms: null, duration_ms: 300, is_error: true, error_type: 'stream_error' }),
    rec({ was_streamed: true, ttft_ms: null, ttlt_ms: 250, duration_ms: 260, is_error: true, error_type: null, model: null }),
    rec({ endpoint: '/v1/messages', duration_ms: 1000, usage_source: 'reported', input_tokens: 7, output_tokens: 3, total_tokens: 10, tokens_per_second: 3, model: '__proto__' }),
    rec({ endpoint: '/v1/responses', is_error: true, error_type: 'upstream_timeout', duration_ms: 30_000 }),
    rec({ endpoint: '/v1/embeddings', duration_ms: 5, usage_source: 'reported', input_tokens: 1000 }),
    rec({ endpoint: '/v1/models', duration_ms: 1 }),
  ];
  const index = indexOf(records);
  it('counts only completion endpoints, split by streaming', () => {
    const o = index.completionOverview({});
    assert.deepEqual(o.streamed, {
      total: 3, successful: 1, failed: 2, tokens_reported: 1, prompt_tokens: 10, completion_tokens: 30, total_tokens: 40,
      avg_tokens_per_second: 100, error_types: { stream_error: 1, unknown: 1 }, avg_duration_ms: (500 + 300 + 260) / 3,
      avg_ttft_ms: 75, avg_ttlt_ms: 325, avg_generation_ms: 300,
    });
    assert.deepEqual(o.non_streamed, {
      total: 2, successful: 1, failed: 1, tokens_reported: 1, prompt_tokens: 7, completion_tokens: 3, total_tokens: 10,
      avg_tokens_per_second: 3, error_types: { upstream_timeout: 1 }, avg_duration_ms: 15_500,
      avg_ttft_ms: null, avg_ttlt_ms: null, avg_generation_ms: null,
    });
    assert.deepEqual(o.origin_distribution, { 'https://app.example': 1, unknown: 4 });
    assert.deepEqual(Object.entries(o.model_distribution).sort(), [['__proto__', 1], ['m', 3], ['unknown', 1]]);
    assert.equal(Object.getPrototypeOf(o.model_distribution), Object.prototype);
  });
  it('applies filters; a non-completion endpoint filter matches nothing', () => {
    assert.equal(index.completionOverview({ endpoint: '/v1/messages' }).non_streamed.total, 1);
    assert.equal(index.completionOverview({ endpoint: '/v1/messages' }).streamed.total, 0);
    assert.equal(index.completionOverview({ status: 'error' }).streamed.total, 2);
    const none = index.completionOverview({ endpoint: '/v1/embeddings' });
    assert.equal(none.streamed.total + none.non_streamed.total, 0);
    assert.deepEqual(none.model_distribution, {});
  });
  it('sees completion endpoints that first appear after a query', () => {
    const grown = indexOf([rec({ endpoint: '/v1/models' })]);
    assert.equal(grown.completionOverview({}).non_streamed.total, 0);
    grown.add([rec({ endpoint: '/v1/completions' }), rec({ endpoint: '/v1/other' })]);
    assert.equal(grown.completionOverview({}).non_streamed.total, 1);
  });
});

describe('analytics index: growth and tags', () => {
  it('answers correctly between adds as the columns grow', () => {
    const index = new AnalyticsIndex();
    let expected = 0;
    for (let batch = 0; batch < 12; batch++) {
      const size = batch * 397;
      index.add(Array.from({ length: size }, (_, i) => rec({ start_time: T0 + batch * 1e6 + i, duration_ms: i, tags: { b: String(batch % 3) } })));
      expected += size;
      assert.equal(index.size, expected);
      assert.equal(index.aggregate({}).requests, expected);
      assert.equal(index.aggregate({ tags: [['b', String(batch % 3)]] }).duration_ms.count, index.groupBy('model', { tags: [['b', String(batch % 3)]] })[0]?.aggregate.requests ?? 0);
    }
  });
  it('tag keys and values cannot run into each other', () => {
    const index = indexOf([rec({ tags: { 'a\u0000b': 'c' } }), rec({ tags: { a: 'b\u0000c' } }), rec({ tags: { ab: 'c' } })]);
    assert.equal(index.aggregate({ tags: [['a\u0000b', 'c']] }).requests, 1);
    assert.equal(index.aggregate({ tags: [['a', 'b\u0000c']] }).requests, 1);
    assert.equal(index.aggregate({ tags: [['a', 'bc']] }).requests, 0);
  });
});

describe('analytics index: reserve', () => {
  it('answers the same with room reserved up front, and grows past it', () => {
    const records = Array.from({ length: 3000 }, (_, i) => rec({ start_time: T0 + i, duration_ms: (i * 7) % 1000, model: `m${i % 5}`, tags: { b: String(i % 2) } }));
    const plain = indexOf(records);
    const reserved = new AnalyticsIndex();
    const empty = reserved.allocatedBytes;
    reserved.reserve(2000);
    assert.ok(reserved.allocatedBytes - empty >= 1000 * 50, 'the columns grew to 2,000 rows at once');
    reserved.add(records.slice(0, 2000));
    reserved.add(records.slice(2000));
    assert.equal(reserved.size, 3000);
    assert.deepEqual(reserved.aggregate({}), plain.aggregate({}));
    assert.deepEqual(reserved.groupBy('model', { tags: [['b', '1']] }), plain.groupBy('model', { tags: [['b', '1']] }));
    assert.deepEqual(reserved.timeseries({ start: T0, end: T0 + 3000 }, 500), plain.timeseries({ start: T0, end: T0 + 3000 }, 500));
  });
});
