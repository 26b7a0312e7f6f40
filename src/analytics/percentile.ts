/**
 * Exact nearest-rank percentiles without sorting. pN of `count` values is the value at rank
 * ceil(N/100 × count) in ascending order. Floyd–Rivest selection finds a rank; large sets first
 * narrow each rank down to one histogram bucket (percentile-plan.ts).
 */
import type { Distribution } from './types.js';

export const EMPTY_DISTRIBUTION: Distribution = Object.freeze({ count: 0, avg: null, p50: null, p95: null, p99: null });

/** 1-based nearest rank of percentile `n` (an integer 1..100) among `count` values (count ≥ 1). */
export function nearestRank(n: number, count: number): number {
  // n × count is an exact integer, so the division can only be off when it is not whole, never across one.
  const rank = Math.ceil((n * count) / 100);
  return rank < 1 ? 1 : rank;
}

/**
 * Rearranges a[left..right] so that a[k] holds the value that would be there if the range were
 * sorted, everything before it ≤ a[k] and everything after it ≥ a[k]. Values must not be NaN.
 */
export function quickselect(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      // Floyd–Rivest: recurse on a small sample to bring a good pivot to k first.
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (m * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - m) * s) / n + sd));
      quickselect(a, k, newLeft, newRight);
    }
    const t = a[k]!;
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right]! > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i]! < t) i++;
      while (a[j]! > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const tmp = a[i]!;
  a[i] = a[j]!;
  a[j] = tmp;
}

/**
 * The distribution of a[offset..offset+count) (reordered in place) by selecting each rank among
 * all the values: for small sets, where a histogram costs more than it saves.
 */
export function selectDistribution(a: Float64Array, offset: number, count: number, sum: number): Distribution {
  if (count === 0) return EMPTY_DISTRIBUTION;
  const last = offset + count - 1;
  const k50 = offset + nearestRank(50, count) - 1;
  const k95 = offset + nearestRank(95, count) - 1;
  const k99 = offset + nearestRank(99, count) - 1;
  quickselect(a, k50, offset, last);
  if (k95 > k50) quickselect(a, k95, k50 + 1, last);
  if (k99 > k95) quickselect(a, k99, k95 + 1, last);
  return { count, avg: sum / count, p50: a[k50]!, p95: a[k95]!, p99: a[k99]! };
}
