/**
 * Aggregation over selected rows. Columns are read in row order, a few per pass, branch-free
 * (nulls are stored as 0, presence comes from flag bits): at a million rows, branch
 * mispredictions, register spills and read-modify-writes of memory cost more than arithmetic.
 *
 * - One group (aggregate, and each time bucket): one fused pass keeps sums in locals, counts
 *   from a 128-entry histogram of the counted flag bits and gathers the metrics into a scratch
 *   array for percentiles (fewer passes: at a million rows these loops are bound by memory).
 * - Time buckets: the selection is counting-sorted by bucket (rows arrive roughly in time order,
 *   so this stays sequential; skipped when already in bucket order), then each bucket is one
 *   group as above.
 * - groupBy: groups are interleaved in row order, so each pass updates per-group slots. For
 *   dictionaries of at most MAX_HISTOGRAM_GROUPS values the group slot is the dictionary id + 1
 *   (no numbering pass) and counts and sums share one pass.
 * Sums always run in row order, so floating-point results do not depend on the path taken.
 */
import type { Aggregate, Distribution } from './types.js';
import {
  BIT_CACHED, BIT_COST, BIT_DURATION, BIT_ERROR, BIT_REASONING, BIT_STREAMED, BIT_TPS, BIT_TTFT, BIT_USAGE,
  type Columns, COUNTED_BITS, COUNTED_MASK,
} from './columns.js';
import type { Scratch } from './scratch.js';

const CODES = 1 << COUNTED_BITS;
/** Above this many groups the per-group flag histograms would take too much memory. */
const MAX_HISTOGRAM_GROUPS = 4096;
// Count slots per group: rows, then rows with each counted flag bit (slot bit + 1).
const C_SLOTS = COUNTED_BITS + 1;
// Sum slots per group: input, output, total, cached, reasoning tokens, cost.
const S_SLOTS = 6;

/**
 * The aggregate of rows[from..to): one fused pass counts (histogram of the counted flag bits),
 * sums tokens and cost in locals and compacts the three metrics for percentiles.
 */
export function aggregateRange(cols: Columns, rows: Int32Array, from: number, to: number, scratch: Scratch): Aggregate {
  const len = to - from;
  scratch.ensureValues(3 * len);
  const values = scratch.values;
  const hist = scratch.codeHist;
  const mask = COUNTED_MASK;
  const { flags, duration, ttft, tps, inputTokens, outputTokens, totalTokens, cachedTokens, cost } = cols;
  const bitDuration = BIT_DURATION;
  const bitTtft = BIT_TTFT;
  const bitTps = BIT_TPS;
  let input = 0;
  let output = 0;
  let total = 0;
  let cached = 0;
  let costSum = 0;
  // Branch-free compaction of the three metrics into [0, len), [len, 2 len) and [2 len, 3 len):
  // every value is written, each cursor only advances past present ones.
  let c0 = 0;
  let c1 = len;
  let c2 = 2 * len;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const f = flags[i]!;
    hist[f & mask]!++;
    input += inputTokens[i]!;
    output += outputTokens[i]!;
    total += totalTokens[i]!;
    cached += cachedTokens[i]!;
    costSum += cost[i]!;
    values[c0] = duration[i]!;
    c0 += (f >> bitDuration) & 1;
    values[c1] = ttft[i]!;
    c1 += (f >> bitTtft) & 1;
    values[c2] = tps[i]!;
    c2 += (f >> bitTps) & 1;
  }
  // Rarely reported at all; when never, the column is all 0 and needs no pass.
  let reasoning = 0;
  if ((cols.flagsSeen >> BIT_REASONING) & 1) {
    const col = cols.reasoningTokens;
    for (let k = from; k < to; k++) reasoning += col[rows[k]!]!;
  }
  const counts = countsOfHistogram(hist, 1);
  hist.fill(0);
  const sums = Float64Array.of(input, output, total, cached, reasoning, costSum);
  const { distributions, words } = scratch;
  return build(
    counts, sums, 0,
    distributions.of(values, words, 0, c0),
    distributions.of(values, words, len, c1 - len),
    distributions.of(values, words, 2 * len, c2 - 2 * len),
  );
}

/** Counts (C_SLOTS per group) from a histogram of (group, counted flag bits). */
function countsOfHistogram(hist: Int32Array, groupCount: number): Float64Array {
  const counts = new Float64Array(groupCount * C_SLOTS);
  const codes = CODES;
  const bits = COUNTED_BITS;
  for (let g = 0; g < groupCount; g++) {
    const c = g * C_SLOTS;
    for (let code = 0; code < codes; code++) {
      const h = hist[g * codes + code]!;
      if (h === 0) continue;
      counts[c]! += h;
      for (let b = 0; b < bits; b++) if ((code >> b) & 1) counts[c + 1 + b]! += h;
    }
  }
  return counts;
}

/**
 * Aggregates of `groupCount` groups over rows scratch.sel[0..n) whose groups are contiguous runs
 * in row order (time buckets): counting-sorts the selection by group, then aggregates each run.
 */
export function aggregateRuns(cols: Columns, scratch: Scratch, n: number, groupCount: number): Aggregate[] {
  const { sel, gid, perm } = scratch;
  const starts = new Int32Array(groupCount + 1);
  for (let k = 0; k < n; k++) starts[gid[k]! + 1]!++;
  for (let g = 0; g < groupCount; g++) starts[g + 1]! += starts[g]!;
  // Rows usually arrive in time order: when the groups already are, the selection is its own sort.
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) sorted = gid[k - 1]! <= gid[k]!;
  let rows = sel;
  if (!sorted) {
    const cursor = starts.slice(0, groupCount);
    for (let k = 0; k < n; k++) perm[cursor[gid[k]!]!++] = sel[k]!;
    rows = perm;
  }
  const out = new Array<Aggregate>(groupCount);
  for (let g = 0; g < groupCount; g++) out[g] = aggregateRange(cols, rows, starts[g]!, starts[g + 1]!, scratch);
  return out;
}

/** Aggregates of `groupCount` groups over rows scratch.sel[0..n), entry k in group scratch.gid[k]. */
export function aggregateGroups(cols: Columns, scratch: Scratch, n: number, groupCount: number): Aggregate[] {
  const { sel, gid } = scratch;
  const counts = countGroups(cols.flags, sel, gid, 0, n, groupCount);
  const sums = sumGroups(cols, sel, gid, n, groupCount);
  const [durations, ttfts, speeds] = groupDistributions(cols, counts, scratch, n, groupCount);
  const out = new Array<Aggregate>(groupCount);
  for (let g = 0; g < groupCount; g++) out[g] = build(counts, sums, g, durations[g]!, ttfts[g]!, speeds[g]!);
  return out;
}

/**
 * Aggregates by dictionary column over rows scratch.sel[0..n): group slot id + 1 (0: null), for
 * `dictSize + 1` slots (at most MAX_HISTOGRAM_GROUPS, see canGroupByColumn). One fused pass
 * writes each entry's slot to scratch.gid, counts and sums; then the metrics are gathered per
 * slot. Returns the aggregates of all slots, or null for a slot without rows.
 */
export function aggregateByColumn(
  cols: Columns, column: Int32Array, scratch: Scratch, n: number, dictSize: number,
): (Aggregate | null)[] {
  const { sel, gid } = scratch;
  const slots = dictSize + 1;
  const codes = CODES;
  const mask = COUNTED_MASK;
  const sSlots = S_SLOTS;
  const hist = new Int32Array(slots * codes);
  const sums = new Float64Array(slots * S_SLOTS);
  const { flags, inputTokens, outputTokens, totalTokens, cachedTokens, cost } = cols;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const g = column[i]! + 1;
    gid[k] = g;
    hist[g * codes + (flags[i]! & mask)]!++;
    const s = g * sSlots;
    sums[s]! += inputTokens[i]!;
    sums[s + 1]! += outputTokens[i]!;
    sums[s + 2]! += totalTokens[i]!;
    sums[s + 3]! += cachedTokens[i]!;
    sums[s + 5]! += cost[i]!;
  }
  if ((cols.flagsSeen >> BIT_REASONING) & 1) {
    const col = cols.reasoningTokens;
    for (let k = 0; k < n; k++) sums[gid[k]! * sSlots + 4]! += col[sel[k]!]!;
  }
  const counts = countsOfHistogram(hist, slots);
  const [durations, ttfts, speeds] = groupDistributions(cols, counts, scratch, n, slots);
  const out = new Array<Aggregate | null>(slots);
  for (let g = 0; g < slots; g++) {
    out[g] = counts[g * C_SLOTS] === 0 ? null : build(counts, sums, g, durations[g]!, ttfts[g]!, speeds[g]!);
  }
  return out;
}

/**
 * Whether aggregateByColumn suits `n` selected rows over a dictionary of this size: its per-slot
 * work is in proportion to the dictionary, so small selections number their groups densely.
 */
export function canGroupByColumn(dictSize: number, n: number): boolean {
  return dictSize + 1 <= MAX_HISTOGRAM_GROUPS && n >= 16 * (dictSize + 1);
}

function build(
  counts: Float64Array, sums: Float64Array, g: number, duration: Distribution, ttft: Distribution, tps: Distribution,
): Aggregate {
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
    duration_ms: duration,
    ttft_ms: ttft,
    tokens_per_second: tps,
  };
}

/**
 * Counts (C_SLOTS per group) over rows[from..to), entry k in group gid[k] (all in group 0 when
 * gid is null), from a histogram of (group, counted flag bits): one memory update per row.
 */
export function countGroups(
  flags: Uint16Array, rows: Int32Array, gid: Int32Array | null, from: number, to: number, groupCount: number,
): Float64Array {
  const counts = new Float64Array(groupCount * C_SLOTS);
  const bits = COUNTED_BITS;
  if (groupCount > MAX_HISTOGRAM_GROUPS) {
    for (let k = from; k < to; k++) {
      const f = flags[rows[k]!]!;
      const c = (gid === null ? 0 : gid[k]!) * C_SLOTS;
      counts[c]! += 1;
      for (let b = 0; b < bits; b++) counts[c + 1 + b]! += (f >> b) & 1;
    }
    return counts;
  }
  const codes = CODES;
  const mask = COUNTED_MASK;
  const hist = new Int32Array(groupCount * codes);
  if (gid === null) for (let k = from; k < to; k++) hist[flags[rows[k]!]! & mask]!++;
  else for (let k = from; k < to; k++) hist[gid[k]! * codes + (flags[rows[k]!]! & mask)]!++;
  return countsOfHistogram(hist, groupCount);
}

/** Per-group token and cost sums (S_SLOTS per group) over rows sel[0..n), entry k in group gid[k]. */
export function sumGroups(cols: Columns, sel: Int32Array, gid: Int32Array, n: number, groupCount: number): Float64Array {
  const { inputTokens, outputTokens, totalTokens, cost } = cols;
  const sums = new Float64Array(groupCount * S_SLOTS);
  const slots = S_SLOTS;
  if ((cols.flagsSeen >> BIT_CACHED) & 1) {
    const cachedTokens = cols.cachedTokens;
    for (let k = 0; k < n; k++) {
      const i = sel[k]!;
      const s = gid[k]! * slots;
      sums[s]! += inputTokens[i]!;
      sums[s + 1]! += outputTokens[i]!;
      sums[s + 2]! += totalTokens[i]!;
      sums[s + 3]! += cachedTokens[i]!;
      sums[s + 5]! += cost[i]!;
    }
  } else {
    for (let k = 0; k < n; k++) {
      const i = sel[k]!;
      const s = gid[k]! * slots;
      sums[s]! += inputTokens[i]!;
      sums[s + 1]! += outputTokens[i]!;
      sums[s + 2]! += totalTokens[i]!;
      sums[s + 5]! += cost[i]!;
    }
  }
  if ((cols.flagsSeen >> BIT_REASONING) & 1) {
    const col = cols.reasoningTokens;
    for (let k = 0; k < n; k++) sums[gid[k]! * slots + 4]! += col[sel[k]!]!;
  }
  return sums;
}

/** Per-group distributions of the three metrics. */
function groupDistributions(
  cols: Columns, counts: Float64Array, scratch: Scratch, n: number, groupCount: number,
): [Distribution[], Distribution[], Distribution[]] {
  const { sel, gid } = scratch;
  const { flags, duration, ttft, tps } = cols;
  const bits = [BIT_DURATION, BIT_TTFT, BIT_TPS] as const;
  // Slices per (group, metric) at offsets[g * 3 + m], each with one spare slot at its end for
  // the writes of absent values: every value is written, a cursor only advances past present ones.
  const offsets = new Int32Array(groupCount * 3);
  let total = 0;
  for (let g = 0; g < groupCount; g++) {
    for (let m = 0; m < 3; m++) {
      offsets[g * 3 + m] = total;
      total += counts[g * C_SLOTS + 1 + bits[m]!]! + 1;
    }
  }
  scratch.ensureValues(total);
  const values = scratch.values;
  const cursor = offsets.slice();
  const bitDuration = BIT_DURATION;
  const bitTtft = BIT_TTFT;
  const bitTps = BIT_TPS;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const f = flags[i]!;
    const c = gid[k]! * 3;
    let p = cursor[c]!;
    values[p] = duration[i]!;
    cursor[c] = p + ((f >> bitDuration) & 1);
    p = cursor[c + 1]!;
    values[p] = ttft[i]!;
    cursor[c + 1] = p + ((f >> bitTtft) & 1);
    p = cursor[c + 2]!;
    values[p] = tps[i]!;
    cursor[c + 2] = p + ((f >> bitTps) & 1);
  }
  const out: [Distribution[], Distribution[], Distribution[]] = [[], [], []];
  for (let g = 0; g < groupCount; g++) {
    for (let m = 0; m < 3; m++) {
      const start = offsets[g * 3 + m]!;
      out[m]!.push(scratch.distributions.of(values, scratch.words, start, cursor[g * 3 + m]! - start));
    }
  }
  return out;
}
