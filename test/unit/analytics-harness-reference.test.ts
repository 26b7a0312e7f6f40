import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertClose, nearestRank, refDistribution } from '../helpers/analytics-harness.js';

describe('analytics test harness: reference model', () => {
  it('nearest-rank percentiles of 1..20 and of a single value', () => {
    const values = Array.from({ length: 20 }, (_, i) => 20 - i);
    assert.deepEqual(refDistribution(values), { avg: 10.5, p50: 10, p95: 19, p99: 20 });
    assert.deepEqual(refDistribution([7]), { avg: 7, p50: 7, p95: 7, p99: 7 });
    assert.deepEqual(refDistribution([]), { avg: null, p50: null, p95: null, p99: null });
    // 101 values: p99 is rank ceil(99.99) = 100, not the maximum.
    assert.equal(nearestRank(Array.from({ length: 101 }, (_, i) => i + 1), 99), 100);
  });

  it('assertClose tolerates rounding only', () => {
    assertClose({ a: [0.1 + 0.2] }, { a: [0.3] });
    assert.throws(() => assertClose({ a: 1 }, { a: 2 }));
    assert.throws(() => assertClose({ a: 0.3001 }, { a: 0.3 }));
    assert.throws(() => assertClose({ a: 1, b: 2 }, { b: 2, a: 1 }));
  });
});
