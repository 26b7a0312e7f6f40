import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import { nearestRank, quickselect } from '../../src/analytics/percentile.js';
import type { Distribution } from '../../src/analytics/types.js';
import { ABSENT_KEY, valueKey } from '../../src/analytics/value-keys.js';
import { makeRecord } from '../contract/records.js';
import { assertSameAggregates } from '../helpers/analytics-harness.js';
import { prng } from '../helpers/prng.js';


/** Brute force: sort, then the smallest r with r × 100 ≥ N × count. */
function reference(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, avg: null, p50: null, p95: null, p99: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (n: number) => sorted[Math.floor((n * sorted.length + 99) / 100) - 1]!;
  let sum = 0;
  for (const v of values) sum += v;
  return { count: values.length, avg: sum / values.length, p50: at(50), p95: at(95), p99: at(99) };
}

/** Rows with these TTFTs (and some rows without one), through the whole index. */
function indexOf(values: readonly number[], model = 'm'): AnalyticsIndex {
  const index = new AnalyticsIndex();
  index.add(values.flatMap((v, i) => {
    const row = makeRecord({ model, ttft_ms: v });
    return i % 3 === 0 ? [row, makeRecord({ model, ttft_ms: null })] : [row];
  }));
  return index;
}

/** The TTFT distribution of `values`: as one aggregate and as one group of a group-by. */
function compute(values: readonly number[]): Distribution {
  const index = indexOf(values);
  const whole = index.aggregate({}).ttft_ms;
  const grouped = index.groupBy('model', {})[0]?.aggregate.ttft_ms ?? whole;
  assertSameAggregates(grouped, whole);
  return whole;
}

describe('analytics percentiles: nearestRank', () => {
  it('is ceil(N/100 × count), exact where N × count / 100 is whole', () => {
    assert.equal(nearestRank(50, 1), 1);
    assert.equal(nearestRank(99, 1), 1);
    assert.equal(nearestRank(50, 2), 1);
    assert.equal(nearestRank(95, 2), 2);
    assert.equal(nearestRank(95, 20), 19);
    assert.equal(nearestRank(99, 100), 99);
    assert.equal(nearestRank(99, 101), 100);
    for (let count = 1; count <= 2000; count++) {
      for (const n of [50, 95, 99]) assert.equal(nearestRank(n, count), Math.floor((n * count + 99) / 100));
    }
  });
});

describe('analytics percentiles: quickselect', () => {
  it('puts the k-th smallest at k, smaller before and larger after', () => {
    const rand = prng(1);
    for (const size of [1, 2, 3, 10, 601, 5000]) {
      const values = Array.from({ length: size }, () => Math.floor(rand() * size * 0.3));
      const sorted = [...values].sort((a, b) => a - b);
      for (const k of [0, size - 1, Math.floor(size / 2), Math.floor(size * 0.95)]) {
        const a = Float64Array.from(values);
        quickselect(a, k, 0, size - 1);
        assert.equal(a[k], sorted[k]);
        for (let i = 0; i < k; i++) assert.ok(a[i]! <= a[k]!);
        for (let i = k + 1; i < size; i++) assert.ok(a[i]! >= a[k]!);
      }
    }
  });
});

describe('analytics percentiles: distributions match a brute-force reference', () => {
  it('0, 1 and 2 values', () => {
    assertSameAggregates(compute([]), { count: 0, avg: null, p50: null, p95: null, p99: null });
    assertSameAggregates(compute([42.5]), { count: 1, avg: 42.5, p50: 42.5, p95: 42.5, p99: 42.5 });
    assertSameAggregates(compute([9, 3]), { count: 2, avg: 6, p50: 3, p95: 9, p99: 9 });
    assertSameAggregates(compute([3, 3]), { count: 2, avg: 3, p50: 3, p95: 3, p99: 3 });
  });

  it('1..20 in any order: p50 = 10, p95 = 19, p99 = 20', () => {
    const values = Array.from({ length: 20 }, (_, i) => ((i * 7) % 20) + 1);
    assertSameAggregates(compute(values), { count: 20, avg: 10.5, p50: 10, p95: 19, p99: 20 });
  });

  it('random sizes around the selection/histogram threshold, with duplicates', () => {
    const rand = prng(2);
    for (const size of [3, 7, 99, 100, 101, 170, 171, 172, 255, 256, 257, 511, 1000, 4099]) {
      for (const spread of [3, 1000, 1e9]) {
        const values = Array.from({ length: size }, () => Math.round(rand() * spread * 10) / 10);
        assertSameAggregates(compute(values), reference(values), `size ${size}, spread ${spread}`);
      }
    }
  });

  it('log-normal latencies (the realistic shape), 50k values', () => {
    const rand = prng(3);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const values = Array.from({ length: 50_000 }, () => Math.round(Math.exp(Math.log(900) + 1.2 * normal()) * 10) / 10);
    assertSameAggregates(compute(values), reference(values));
  });

  it('awkward values: negatives, zeros, tiny and huge magnitudes, all equal, two clusters', () => {
    const rand = prng(4);
    const cases: number[][] = [
      Array.from({ length: 3000 }, () => (rand() - 0.5) * 1e6),
      Array.from({ length: 3000 }, () => (rand() < 0.7 ? 0 : rand() * 10)),
      Array.from({ length: 3000 }, () => rand() * 1e-300),
      Array.from({ length: 3000 }, () => (rand() < 0.5 ? rand() * 1e-12 : rand() * 1e300)),
      Array.from({ length: 3000 }, () => 17.25),
      Array.from({ length: 3000 }, () => (rand() < 0.96 ? 1 : 1000 + Math.floor(rand() * 3))),
      Array.from({ length: 3000 }, (_, i) => (i % 2 === 0 ? -1 : 1) * Math.floor(rand() * 5)),
    ];
    for (const [i, values] of cases.entries()) assertSameAggregates(compute(values), reference(values), `case ${i}`);
  });

  it('one index answers sets of very different sizes in turn (shared buffers)', () => {
    const rand = prng(5);
    const sets = [20_000, 3, 700, 0, 9000, 1].map((size) => Array.from({ length: size }, () => Math.floor(rand() * 500)));
    const index = new AnalyticsIndex();
    for (const [i, values] of sets.entries()) index.add(values.map((v) => makeRecord({ model: `m${i}`, duration_ms: v })));
    for (const [i, values] of sets.entries()) {
      assertSameAggregates(index.aggregate({ model: `m${i}` }).duration_ms, reference(values), `size ${values.length}`);
    }
  });
});

describe('analytics percentiles: value bucket keys', () => {
  it('never give a larger value a smaller key, and stay below ABSENT_KEY', () => {
    const rand = prng(6);
    const values = [-1e300, -5, 0, 1e-300, 2 ** -10, 0.5, 1, 1.0625, 1000, 2 ** 53, 2 ** 54, 1e300, Infinity];
    for (let i = 0; i < 5000; i++) values.push(Math.exp((rand() - 0.5) * 100));
    values.sort((a, b) => a - b);
    for (let i = 1; i < values.length; i++) {
      assert.ok(valueKey(values[i - 1]!) <= valueKey(values[i]!), `${values[i - 1]} vs ${values[i]}`);
    }
    assert.equal(valueKey(0), 0);
    assert.equal(valueKey(Infinity), ABSENT_KEY - 1);
    assert.ok(valueKey(1) > 0 && valueKey(1) < valueKey(1.0625));
  });
});
