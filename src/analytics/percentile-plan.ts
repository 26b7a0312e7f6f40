/**
 * Exact percentiles of many value sets at once — one set per (group, metric) — from histograms
 * of their bucket keys (value-keys.ts), without sorting or copying the sets:
 *
 * 1. The caller counts every row's key into `hist` (KEY_SLOTS per group and metric).
 * 2. planPercentiles walks each histogram to the buckets holding ranks p50/p95/p99 and gives
 *    every such bucket a region of a candidates array (`target` maps group, metric and key to
 *    region + 1, 0 for the buckets no rank lies in).
 * 3. The caller copies the values whose key is targeted into their region (a rare write: most
 *    rows fall in untargeted buckets).
 * 4. resolveDistribution selects each rank inside its region (quickselect), so the answer is the
 *    exact nearest-rank value.
 */
import type { Distribution } from './types.js';
import { EMPTY_DISTRIBUTION, nearestRank, quickselect } from './percentile.js';
import { ABSENT_KEY, KEY_SLOTS } from './value-keys.js';

/** Duration, TTFT, tokens/s: the metrics with percentiles, in this order everywhere. */
export const METRICS = 3;
const PERCENTILES = [50, 95, 99] as const;

export interface PercentilePlan {
  /** (group × METRICS + metric) × KEY_SLOTS + key → region + 1; 0 when untargeted. */
  readonly target: Int32Array;
  /** Start of each region in the candidates array, then the total (regionCount + 1 entries). */
  readonly regionStart: Int32Array;
  readonly regionCount: number;
  /** Per (group × METRICS + metric) × 3 + percentile: its region, and its index within it. */
  readonly region: Int32Array;
  readonly kth: Int32Array;
  /** The target entry of each region, for clearPlan. */
  readonly targetIndex: Int32Array;
  /** The bucket key of each region. */
  readonly regionKey: Int32Array;
}

/**
 * Plans the candidate regions of `groupCount` groups. `present[g × METRICS + m]` is how many
 * values group g has for metric m (the non-absent keys counted into hist). `target` must be
 * all zero, at least groupCount × METRICS × KEY_SLOTS long; clearPlan makes it zero again.
 */
export function planPercentiles(
  hist: Int32Array, present: Float64Array, groupCount: number, target: Int32Array,
): PercentilePlan {
  const sets = groupCount * METRICS;
  const region = new Int32Array(sets * 3);
  const kth = new Int32Array(sets * 3);
  const starts: number[] = [0];
  const targetIndex: number[] = [];
  const regionKey: number[] = [];
  let regionCount = 0;
  let total = 0;
  for (let set = 0; set < sets; set++) {
    const count = present[set]!;
    if (count === 0) continue;
    const base = set * KEY_SLOTS;
    let key = 0;
    let below = 0;
    let lastKey = -1;
    for (let p = 0; p < 3; p++) {
      const rank = nearestRank(PERCENTILES[p]!, count);
      while (key < ABSENT_KEY && below + hist[base + key]! < rank) below += hist[base + key++]!;
      if (key !== lastKey) {
        target[base + key] = ++regionCount;
        targetIndex.push(base + key);
        regionKey.push(key);
        total += hist[base + key]!;
        starts.push(total);
        lastKey = key;
      }
      region[set * 3 + p] = regionCount - 1;
      kth[set * 3 + p] = rank - below - 1;
    }
  }
  return {
    target, regionStart: Int32Array.from(starts), regionCount, region, kth,
    targetIndex: Int32Array.from(targetIndex), regionKey: Int32Array.from(regionKey),
  };
}

/** Zeroes the entries planPercentiles set in `plan.target`. */
export function clearPlan(plan: PercentilePlan): void {
  for (const index of plan.targetIndex) plan.target[index] = 0;
}

/** The distribution of set (group, metric) after its candidates were copied into `cand`. */
export function resolveDistribution(
  plan: PercentilePlan, cand: Float64Array, set: number, count: number, sum: number,
): Distribution {
  if (count === 0) return EMPTY_DISTRIBUTION;
  const out = [0, 0, 0];
  for (let p = 0; p < 3; p++) {
    const r = plan.region[set * 3 + p]!;
    const start = plan.regionStart[r]!;
    const k = start + plan.kth[set * 3 + p]!;
    quickselect(cand, k, start, plan.regionStart[r + 1]! - 1);
    out[p] = cand[k]!;
  }
  return { count, avg: sum / count, p50: out[0]!, p95: out[1]!, p99: out[2]! };
}
