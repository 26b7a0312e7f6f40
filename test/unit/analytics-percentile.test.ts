import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DistributionBuilder, nearestRank, quickselect, wordsOf } from '../../src/analytics/percentile.js';
import type { Distribution } from '../../src/analytics/types.js';
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

function compute(values: readonly number[], offset = 0): Distribution {
  const a = new Float64Array(offset + values.length + 3).fill(-12345);
  a.set(values, offset);
  return new DistributionBuilder().of(a, wordsOf(a), offset, values.length);
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
    assert.deepEqual(compute([]), { count: 0, avg: null, p50: null, p95: null, p99: null });
    assert.deepEqual(compute([42.5]), { count: 1, avg: 42.5, p50: 42.5, p95: 42.5, p99: 42.5 });
    assert.deepEqual(compute([9, 3]), { count: 2, avg: 6, p50: 3, p95: 9, p99: 9 });
    assert.deepEqual(compute([3, 3]), { count: 2, avg: 3, p50: 3, p95: 3, p99: 3 });
  });

  it('1..20 in any order: p50 = 10, p95 = 19, p99 = 20', () => {
    const values = Array.from({ length: 20 }, (_, i) => ((i * 7) % 20) + 1);
    assert.deepEqual(compute(values), { count: 20, avg: 10.5, p50: 10, p95: 19, p99: 20 });
  });

  it('random sizes around the selection/histogram threshold, with duplicates, at an offset', () => {
    const rand = prng(2);
    for (const size of [3, 7, 99, 100, 101, 255, 511, 512, 513, 514, 1000, 4099]) {
      for (const spread of [3, 1000, 1e9]) {
        const values = Array.from({ length: size }, () => Math.round(rand() * spread * 10) / 10);
        assert.deepEqual(compute(values, 5), reference(values), `size ${size}, spread ${spread}`);
      }
    }
  });

  it('log-normal latencies (the realistic shape), 50k values', () => {
    const rand = prng(3);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const values = Array.from({ length: 50_000 }, () => Math.round(Math.exp(Math.log(900) + 1.2 * normal()) * 10) / 10);
    assert.deepEqual(compute(values), reference(values));
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
    for (const [i, values] of cases.entries()) assert.deepEqual(compute(values), reference(values), `case ${i}`);
  });

  it('reuses its buffers across calls of very different sizes', () => {
    const builder = new DistributionBuilder();
    const rand = prng(5);
    for (const size of [20_000, 3, 700, 0, 9000, 1]) {
      const values = Array.from({ length: size }, () => Math.floor(rand() * 500));
      const a = Float64Array.from(values);
      assert.deepEqual(builder.of(a, wordsOf(a), 0, size), reference(values), `size ${size}`);
    }
  });
});
