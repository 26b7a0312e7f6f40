/** Fixed time buckets: which bucket a start time falls in, and which sealed blocks lie wholly in one. */

/**
 * The bucket of time t: bucket b is exactly [first + b × bucketMs, first + (b + 1) × bucketMs).
 * The division alone can round across a boundary, so the result is checked against it.
 */
export function bucketOf(t: number, first: number, bucketMs: number): number {
  const b = Math.floor((t - first) / bucketMs);
  if (t < first + b * bucketMs) return b - 1;
  if (t >= first + (b + 1) * bucketMs) return b + 1;
  return b;
}

/**
 * gid[k] = the bucket (clamped to 0..count-1) of the start time of row sel[k], for k in
 * [from, to). Rows arrive nearly in time order, so the last row's bucket bounds are tried before
 * dividing.
 */
export function assignBuckets(
  startTime: Float64Array, sel: Int32Array, gid: Int32Array, from: number, to: number, first: number, bucketMs: number, count: number,
): void {
  const last = count - 1;
  let b = 0;
  let lo = first;
  let hi = first + bucketMs;
  for (let k = from; k < to; k++) {
    const t = startTime[sel[k]!]!;
    if (!(t >= lo && t < hi)) {
      b = bucketOf(t, first, bucketMs);
      b = b < 0 ? 0 : b > last ? last : b;
      lo = first + b * bucketMs;
      hi = first + (b + 1) * bucketMs;
    }
    gid[k] = b;
  }
}

/**
 * The blocks (ascending) whose rows all started inside both [lo, hi) and one bucket, and that
 * bucket of each, given each block's smallest and largest start time.
 */
export function blocksInBuckets(
  min: readonly number[], max: readonly number[], lo: number, hi: number, first: number, bucketMs: number, count: number,
): { blocks: number[]; buckets: number[] } {
  const blocks: number[] = [];
  const buckets: number[] = [];
  for (let block = 0; block < min.length; block++) {
    const a = min[block]!;
    const z = max[block]!;
    if (!(a >= lo && z < hi)) continue;
    const b = bucketOf(a, first, bucketMs);
    if (b >= 0 && b < count && bucketOf(z, first, bucketMs) === b) {
      blocks.push(block);
      buckets.push(b);
    }
  }
  return { blocks, buckets };
}
