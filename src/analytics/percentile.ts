/**
 * Exact nearest-rank percentiles without sorting. pN of `count` values is the value at rank
 * ceil(N/100 × count) in ascending order.
 *
 * Small sets: Floyd–Rivest selection of each rank. Large sets: one pass builds a histogram of
 * the values' top 16 order-preserving bits (sign, exponent, 4 mantissa bits: 1/16-octave
 * buckets); the buckets holding the three ranks are read off it, a second pass copies just those
 * buckets' values out, and selection finds each rank among them.
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

/** Below this many values the histogram costs more than it saves. */
const SMALL = 512;
const BUCKETS = 1 << 16;

/** Selection on all values of a[offset..offset+count) (reordered in place). */
function bySelection(a: Float64Array, offset: number, count: number, sum: number): Distribution {
  const last = offset + count - 1;
  const k50 = offset + nearestRank(50, count) - 1;
  const k95 = offset + nearestRank(95, count) - 1;
  const k99 = offset + nearestRank(99, count) - 1;
  quickselect(a, k50, offset, last);
  if (k95 > k50) quickselect(a, k95, k50 + 1, last);
  if (k99 > k95) quickselect(a, k99, k95 + 1, last);
  return { count, avg: sum / count, p50: a[k50]!, p95: a[k95]!, p99: a[k99]! };
}

/** Index of the 32-bit word holding a float64's sign, exponent and top mantissa bits. */
export const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** A view of a Float64Array's 32-bit words. */
export function wordsOf(a: Float64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}


/** Computes distributions; holds the reusable buffers (one per index: queries are synchronous). */
export class DistributionBuilder {
  private candidates = new Float64Array(1024);
  /** All zero between calls. */
  private readonly histogram = new Uint32Array(BUCKETS);

  /**
   * The distribution of values[offset..offset+count) (no NaN; reordered in place); `words` is
   * wordsOf(values). The average sums the values in their given order.
   */
  of(values: Float64Array, words: Uint32Array, offset: number, count: number): Distribution {
    if (count === 0) return EMPTY_DISTRIBUTION;
    const end = offset + count;
    let sum = 0;
    if (count <= SMALL) {
      for (let j = offset; j < end; j++) sum += values[j]!;
      return bySelection(values, offset, count, sum);
    }
    const hist = this.histogram;
    const hi = HI;
    if (count > BUCKETS) {
      // Large: scanning and clearing the whole histogram costs less than tracking its used range.
      for (let j = offset; j < end; j++) {
        sum += values[j]!;
        const w = words[2 * j + hi]!;
        hist[(w ^ ((w >> 31) | 0x8000_0000)) >>> 16]!++;
      }
      const result = this.byHistogram(values, words, offset, count, sum, 0);
      hist.fill(0);
      return result;
    }
    let minB = BUCKETS;
    let maxB = -1;
    for (let j = offset; j < end; j++) {
      sum += values[j]!;
      const w = words[2 * j + hi]!;
      const b = (w ^ ((w >> 31) | 0x8000_0000)) >>> 16;
      hist[b]!++;
      if (b < minB) minB = b;
      if (b > maxB) maxB = b;
    }
    const result = this.byHistogram(values, words, offset, count, sum, minB);
    hist.fill(0, minB, maxB + 1);
    return result;
  }

  private byHistogram(values: Float64Array, words: Uint32Array, offset: number, count: number, sum: number, minB: number): Distribution {
    const hist = this.histogram;
    const ranks = [nearestRank(50, count), nearestRank(95, count), nearestRank(99, count)];
    // The bucket of each rank and how many values lie in lower buckets.
    const bucket = [0, 0, 0];
    const below = [0, 0, 0];
    let b = minB;
    let cum = 0;
    for (let r = 0; r < 3; r++) {
      while (cum + hist[b]! < ranks[r]!) cum += hist[b++]!;
      bucket[r] = b;
      below[r] = cum;
    }
    const b0 = bucket[0]!;
    const b1 = bucket[1]!;
    const b2 = bucket[2]!;
    // Regions of the candidates array, one per distinct bucket, in bucket order.
    const start1 = b1 === b0 ? 0 : hist[b0]!;
    const start2 = b2 === b1 ? start1 : start1 + hist[b1]!;
    const total = start2 + hist[b2]!;
    if (this.candidates.length < total) this.candidates = new Float64Array(Math.max(total, this.candidates.length * 2));
    const cand = this.candidates;
    const hi = HI;
    let p0 = 0;
    let p1 = start1;
    let p2 = start2;
    const end = offset + count;
    for (let j = offset; j < end; j++) {
      const w = words[2 * j + hi]!;
      const bj = (w ^ ((w >> 31) | 0x8000_0000)) >>> 16;
      if (bj === b0) cand[p0++] = values[j]!;
      else if (bj === b1) cand[p1++] = values[j]!;
      else if (bj === b2) cand[p2++] = values[j]!;
    }
    const starts = [0, start1, start2];
    const out = [0, 0, 0];
    for (let r = 0; r < 3; r++) {
      const s = starts[r]!;
      const k = s + ranks[r]! - below[r]! - 1;
      quickselect(cand, k, s, s + hist[bucket[r]!]! - 1);
      out[r] = cand[k]!;
    }
    return { count, avg: sum / count, p50: out[0]!, p95: out[1]!, p99: out[2]! };
  }
}
