/**
 * Per-group running totals of an aggregation and the two passes that fill and finish them.
 *
 * Pass 1 (scanRun, scanInterleaved) reads rows branch-free (nulls are stored as 0, presence
 * comes from flag bits): a histogram of the counted flag bits, token/cost/metric sums and a
 * histogram of each metric's bucket key (Uint16 columns, value-keys.ts). Sealed row ranges can
 * be merged in instead from their partials (rollups.ts): the same figures, pre-computed.
 * Pass 2 (finish) copies out only the values in the buckets holding each percentile's rank and
 * selects among them (percentile-plan.ts), so percentiles are exact.
 */
import type { Aggregate, Distribution } from './types.js';
import {
  BIT_COST, BIT_DURATION, BIT_ERROR, BIT_REASONING, BIT_STREAMED, BIT_TPS, BIT_TTFT, BIT_USAGE,
  type Columns, COUNTED_BITS, COUNTED_MASK,
} from './columns.js';
import { clearPlan, METRICS, planPercentiles, type PercentilePlan, resolveDistribution } from './percentile-plan.js';
import type { Scratch } from './scratch.js';
import { EMPTY_DISTRIBUTION } from './percentile.js';
import { ABSENT_KEY, KEY_SLOTS } from './value-keys.js';

const CODES = 1 << COUNTED_BITS;
/** Count slots per group: rows, then rows with each counted flag bit (slot bit + 1). */
export const C_SLOTS = COUNTED_BITS + 1;
/** Sum slots per group: input, output, total, cached, reasoning tokens, cost, duration, TTFT, tokens/s. */
export const S_SLOTS = 9;
/** First metric sum slot. */
export const S_METRICS = 6;
const METRIC_BITS = [BIT_DURATION, BIT_TTFT, BIT_TPS] as const;
/** Key histogram slots per group. */
export const STRIDE = METRICS * KEY_SLOTS;

export class Accumulator {
  /** Per group: histogram of the counted flag bits of scanned rows. */
  readonly codeHist: Int32Array;
  /** Per group: counts merged from partials (C_SLOTS each). */
  readonly counts: Float64Array;
  /** Per group: sums (S_SLOTS each); the metrics' sums hold merged partials, settle() adds the scanned rows'. */
  readonly sums: Float64Array;
  /** Per group and metric: the sum of the scanned rows' stored metric values (columns.ts: × scale). */
  readonly raw: Float64Array;
  /** Per group and metric: histogram of bucket keys (STRIDE per group). */
  readonly keyHist: Int32Array;

  constructor(readonly groupCount: number) {
    this.codeHist = new Int32Array(groupCount * CODES);
    this.counts = new Float64Array(groupCount * C_SLOTS);
    this.sums = new Float64Array(groupCount * S_SLOTS);
    this.raw = new Float64Array(groupCount * METRICS);
    this.keyHist = new Int32Array(groupCount * STRIDE);
  }

  reset(): void {
    this.codeHist.fill(0);
    this.counts.fill(0);
    this.sums.fill(0);
    this.raw.fill(0);
    this.keyHist.fill(0);
  }

  /**
   * Adds the scanned rows' metric sums, divided by their columns' scales, into `sums` (each
   * stored sum is an exact integer while a column is scaled, so this divides once, exactly).
   */
  settle(cols: Columns): void {
    const scales = [cols.durationColumn.scale, cols.ttftColumn.scale, cols.tpsColumn.scale];
    for (let g = 0; g < this.groupCount; g++) {
      for (let m = 0; m < METRICS; m++) {
        const r = this.raw[g * METRICS + m]!;
        if (r === 0) continue;
        this.sums[g * S_SLOTS + S_METRICS + m]! += r / scales[m]!;
        this.raw[g * METRICS + m] = 0;
      }
    }
  }

  /** Rows per group and per counted flag bit (C_SLOTS per group). */
  allCounts(): Float64Array {
    const counts = this.counts.slice();
    const codes = CODES;
    const bits = COUNTED_BITS;
    for (let g = 0; g < this.groupCount; g++) {
      const c = g * C_SLOTS;
      for (let code = 0; code < codes; code++) {
        const h = this.codeHist[g * codes + code]!;
        if (h === 0) continue;
        counts[c]! += h;
        for (let b = 0; b < bits; b++) if ((code >> b) & 1) counts[c + 1 + b]! += h;
      }
    }
    return counts;
  }
}

/** Pass 1 over rows[from..to), all in group g; sums kept in locals. */
export function scanRun(cols: Columns, rows: Int32Array, from: number, to: number, acc: Accumulator, g: number): void {
  const hist = acc.codeHist;
  const mask = COUNTED_MASK;
  const h0 = g * CODES;
  const m0 = g * STRIDE;
  const m1 = m0 + KEY_SLOTS;
  const m2 = m0 + 2 * KEY_SLOTS;
  const mh = acc.keyHist;
  const { flags, duration, ttft, tps, durationKey, ttftKey, tpsKey, inputTokens, outputTokens, totalTokens, cachedTokens, cost } = cols;
  let input = 0;
  let output = 0;
  let total = 0;
  let cached = 0;
  let costSum = 0;
  let durationSum = 0;
  let ttftSum = 0;
  let tpsSum = 0;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    hist[h0 + (flags[i]! & mask)]!++;
    input += inputTokens[i]!;
    output += outputTokens[i]!;
    total += totalTokens[i]!;
    cached += cachedTokens[i]!;
    costSum += cost[i]!;
    durationSum += duration[i]!;
    ttftSum += ttft[i]!;
    tpsSum += tps[i]!;
    mh[m0 + durationKey[i]!]!++;
    mh[m1 + ttftKey[i]!]!++;
    mh[m2 + tpsKey[i]!]!++;
  }
  let reasoning = 0;
  // Rarely reported at all; when never, the column is all 0 and needs no pass.
  if ((cols.flagsSeen >> BIT_REASONING) & 1) {
    const col = cols.reasoningTokens;
    for (let k = from; k < to; k++) reasoning += col[rows[k]!]!;
  }
  const s = acc.sums;
  const s0 = g * S_SLOTS;
  s[s0]! += input;
  s[s0 + 1]! += output;
  s[s0 + 2]! += total;
  s[s0 + 3]! += cached;
  s[s0 + 4]! += reasoning;
  s[s0 + 5]! += costSum;
  const raw = acc.raw;
  const r0 = g * METRICS;
  raw[r0]! += durationSum;
  raw[r0 + 1]! += ttftSum;
  raw[r0 + 2]! += tpsSum;
}

/** Pass 1 over rows[from..to), entry k in group gid[k]. */
export function scanInterleaved(cols: Columns, rows: Int32Array, gid: Int32Array, from: number, to: number, acc: Accumulator): void {
  const codes = CODES;
  const mask = COUNTED_MASK;
  const sSlots = S_SLOTS;
  const stride = STRIDE;
  const ks = KEY_SLOTS;
  const ks2 = 2 * KEY_SLOTS;
  const metrics = METRICS;
  const { codeHist: hist, sums, raw, keyHist: mh } = acc;
  const { flags, duration, ttft, tps, durationKey, ttftKey, tpsKey, inputTokens, outputTokens, totalTokens, cachedTokens, cost } = cols;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const g = gid[k]!;
    hist[g * codes + (flags[i]! & mask)]!++;
    const s = g * sSlots;
    sums[s]! += inputTokens[i]!;
    sums[s + 1]! += outputTokens[i]!;
    sums[s + 2]! += totalTokens[i]!;
    sums[s + 3]! += cachedTokens[i]!;
    sums[s + 5]! += cost[i]!;
    const r = g * metrics;
    raw[r]! += duration[i]!;
    raw[r + 1]! += ttft[i]!;
    raw[r + 2]! += tps[i]!;
    const h = g * stride;
    mh[h + durationKey[i]!]!++;
    mh[h + ks + ttftKey[i]!]!++;
    mh[h + ks2 + tpsKey[i]!]!++;
  }
  if ((cols.flagsSeen >> BIT_REASONING) & 1) {
    const col = cols.reasoningTokens;
    for (let k = from; k < to; k++) sums[gid[k]! * sSlots + 4]! += col[rows[k]!]!;
  }
}

/** A group's totals over a sealed row range, merged instead of its rows (rollups.ts). */
export interface Partial {
  /** Counts (C_SLOTS), then sums (S_SLOTS). */
  readonly head: Float64Array;
  /** Per metric: the first key counted, how many keys follow, their counts (16 bits when every count fits). */
  readonly hist: Uint16Array | Int32Array;
}

/** Group g's totals as a Partial; `counts` is acc.allCounts(), and acc was settled. */
export function packPartial(acc: Accumulator, g: number, counts: Float64Array): Partial {
  const ranges: number[] = [];
  let size = 0;
  for (let m = 0; m < METRICS; m++) {
    const base = g * STRIDE + m * KEY_SLOTS;
    let lo = 0;
    let hi = ABSENT_KEY - 1;
    while (lo <= hi && acc.keyHist[base + lo] === 0) lo++;
    while (hi >= lo && acc.keyHist[base + hi] === 0) hi--;
    const length = hi >= lo ? hi - lo + 1 : 0;
    ranges.push(lo, length);
    size += 2 + length;
  }
  const head = new Float64Array(C_SLOTS + S_SLOTS);
  head.set(counts.subarray(g * C_SLOTS, (g + 1) * C_SLOTS), 0);
  head.set(acc.sums.subarray(g * S_SLOTS, (g + 1) * S_SLOTS), C_SLOTS);
  // Keys and lengths are below 1,028; counts at most the range's rows.
  const hist = counts[g * C_SLOTS]! <= 0xffff ? new Uint16Array(size) : new Int32Array(size);
  let at = 0;
  for (let m = 0; m < METRICS; m++) {
    const lo = ranges[2 * m]!;
    const length = ranges[2 * m + 1]!;
    hist[at] = lo;
    hist[at + 1] = length;
    const base = g * STRIDE + m * KEY_SLOTS + lo;
    hist.set(acc.keyHist.subarray(base, base + length), at + 2);
    at += 2 + length;
  }
  return { head, hist };
}

/** Adds a partial into group g. */
export function mergePartial(p: Partial, acc: Accumulator, g: number): void {
  const { counts, sums, keyHist } = acc;
  const { head, hist } = p;
  const c0 = g * C_SLOTS;
  for (let j = 0; j < C_SLOTS; j++) counts[c0 + j]! += head[j]!;
  const s0 = g * S_SLOTS;
  for (let j = 0; j < S_SLOTS; j++) sums[s0 + j]! += head[C_SLOTS + j]!;
  let at = 0;
  for (let m = 0; m < METRICS; m++) {
    const base = g * STRIDE + m * KEY_SLOTS + hist[at]!;
    const length = hist[at + 1]!;
    at += 2;
    for (let j = 0; j < length; j++) keyHist[base + j]! += hist[at + j]!;
    at += length;
  }
}

/** Bytes held by a partial's arrays. */
export function partialBytes(p: Partial): number {
  return p.head.byteLength + p.hist.byteLength;
}

/** Values present per (group, metric), from the counts of the metrics' presence bits. */
export function presentCounts(counts: Float64Array, groupCount: number): Float64Array {
  const present = new Float64Array(groupCount * METRICS);
  for (let g = 0; g < groupCount; g++) {
    for (let m = 0; m < METRICS; m++) present[g * METRICS + m] = counts[g * C_SLOTS + 1 + METRIC_BITS[m]!]!;
  }
  return present;
}

/**
 * Pass 2: copies each value in a targeted bucket into its region of `cand` (advancing `cursor`,
 * the regions' next free slots), for every row that was counted into `acc` (gather.ts).
 */
export type Gather = (plan: PercentilePlan, cand: Float64Array, cursor: Int32Array, present: Float64Array) => void;

/** Pass 2 and the result: the aggregate of each group of `acc`, null for a group without rows. */
export function finish(cols: Columns, acc: Accumulator, scratch: Scratch, gather: Gather): (Aggregate | null)[] {
  const groupCount = acc.groupCount;
  acc.settle(cols);
  const counts = acc.allCounts();
  const present = presentCounts(counts, groupCount);
  const plan = planPercentiles(acc.keyHist, present, groupCount, scratch.targetFor(groupCount * STRIDE));
  scratch.ensureValues(plan.regionStart[plan.regionCount]!);
  const cand = scratch.values;
  if (plan.regionCount > 0) gather(plan, cand, plan.regionStart.slice(0, plan.regionCount), present);
  const out = new Array<Aggregate | null>(groupCount);
  for (let g = 0; g < groupCount; g++) {
    if (counts[g * C_SLOTS] === 0) {
      out[g] = null;
      continue;
    }
    const distributions = [0, 1, 2].map((m) =>
      resolveDistribution(plan, cand, g * METRICS + m, present[g * METRICS + m]!, acc.sums[g * S_SLOTS + S_METRICS + m]!));
    out[g] = build(counts, acc.sums, g, distributions);
  }
  clearPlan(plan);
  return out;
}

/** The aggregate of no rows. */
export const EMPTY_AGGREGATE: Aggregate = Object.freeze(
  build(new Float64Array(C_SLOTS), new Float64Array(S_SLOTS), 0, [EMPTY_DISTRIBUTION, EMPTY_DISTRIBUTION, EMPTY_DISTRIBUTION]),
);

export function build(counts: Float64Array, sums: Float64Array, g: number, distributions: Distribution[]): Aggregate {
  const c = g * C_SLOTS;
  const s = g * S_SLOTS;
  const requests = counts[c]!;
  const errors = counts[c + 1 + BIT_ERROR]!;
  return {
    requests,
    successful: requests - errors,
    errors,
    streamed: counts[c + 1 + BIT_STREAMED]!,
    requests_with_usage: counts[c + 1 + BIT_USAGE]!,
    input_tokens: sums[s]!,
    output_tokens: sums[s + 1]!,
    total_tokens: sums[s + 2]!,
    cached_input_tokens: sums[s + 3]!,
    reasoning_tokens: sums[s + 4]!,
    cost_usd: sums[s + 5]!,
    priced_requests: counts[c + 1 + BIT_COST]!,
    duration_ms: distributions[0]!,
    ttft_ms: distributions[1]!,
    tokens_per_second: distributions[2]!,
  };
}
