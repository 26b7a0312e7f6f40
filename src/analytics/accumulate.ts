/**
 * The aggregation paths over a selection (accumulator.ts holds the passes):
 *
 * - One group (aggregate, each time bucket, each group of a very large group-by): aggregateRun.
 *   Runs of few rows select among all their values. When a run is every row of a time span
 *   (`cover`: the filter has no other condition), the sealed blocks inside the span are merged
 *   from their partials (rollups.ts) and only the rows between them are scanned.
 * - Group-bys of up to MAX_INTERLEAVED_GROUPS groups: per-group slots in one pass, sealed
 *   segments merged the same way.
 * - Time buckets and larger group-bys: the selection is counting-sorted into runs (time buckets
 *   arrive in time order, so this is usually skipped), then each run is one group.
 *
 * Token counts sum exactly whatever the path; float sums (cost, metric averages) may differ in the
 * last bits between paths because partials add in a different order.
 */
import type { Aggregate, Distribution } from './types.js';
import {
  Accumulator, build, EMPTY_AGGREGATE, finish, mergePartial, presentCounts, S_METRICS, scanInterleaved, scanRun,
} from './accumulator.js';
import { BIT_DURATION, BIT_TPS, BIT_TTFT, type Columns, type IdArray } from './columns.js';
import { denseGroups, slotOf } from './dense-groups.js';
import { selectDistribution } from './percentile.js';
import { gatherBlock, gatherChunkGroups, gatherRows, targetedKeys } from './gather.js';
import type { PercentilePlan } from './percentile-plan.js';
import {
  BLOCK_ROWS, CHUNK_ROWS, coverUnits, type Rollups, scanAround, scanAroundUnits, type SegmentGroups, SEGMENT_SHIFT, type Unit,
} from './rollups.js';
import type { Scratch } from './scratch.js';
import { KEY_SLOTS } from './value-keys.js';

/** Beyond this many groups per-group key histograms take too much memory (12 MB here). */
export const MAX_INTERLEAVED_GROUPS = 1024;
/** Runs of at most this many rows select among all their values: a histogram walk costs more. */
const SMALL_RUN = 256;
/** Group-bys of up to this many groups find their percentile values through the chunks' key orders. */
const MAX_KEYED_GATHER_GROUPS = 16;

/** A start-time span [lo, hi) whose every row is selected, and only those: the rows aggregated. */
export type Cover = readonly [lo: number, hi: number];

/**
 * The aggregate of rows[from..to) (ascending) as one group. `blocks`: sealed blocks (ascending)
 * all of whose rows are among them, merged from their partials instead of scanned.
 */
export function aggregateRun(
  cols: Columns, rollups: Rollups, rows: Int32Array, from: number, to: number, scratch: Scratch, blocks: readonly number[],
): Aggregate {
  const acc = scratch.single;
  if (to - from <= SMALL_RUN) return smallRun(cols, rows, from, to, scratch, acc);
  const units = coverUnits(blocks, rollups.chunkTotals.length);
  scanAroundUnits(rows, from, to, units,
    (a, b) => scanRun(cols, rows, a, b, acc, 0),
    (unit) => mergeUnit(rollups, unit, acc));
  const result = finish(cols, acc, scratch, (plan, cand, cursor, present) => {
    scanAroundUnits(rows, from, to, units,
      (a, b) => gatherRows(cols, rows, null, a, b, plan, cand, cursor),
      (unit) => gatherUnit(cols, rollups, unit, present, plan, cand, cursor));
  })[0]!;
  acc.reset();
  return result;
}

/**
 * Time buckets of rows scratch.sel[0..n) (entry k in bucket scratch.gid[k]) as interleaved
 * groups, at most MAX_INTERLEAVED_GROUPS; `blocks` (ascending) are merged into `buckets`.
 * `assign(a, b)` fills gid[a..b), called for each stretch scanned before it is read.
 */
export function aggregateBuckets(
  cols: Columns, rollups: Rollups, scratch: Scratch, n: number, count: number,
  blocks: readonly number[], buckets: readonly number[], assign: (from: number, to: number) => void,
): Aggregate[] {
  const { sel, gid } = scratch;
  const acc = new Accumulator(count);
  const units = coverUnits(blocks, rollups.chunkTotals.length, buckets);
  scanAroundUnits(sel, 0, n, units,
    (a, b) => {
      assign(a, b);
      scanInterleaved(cols, sel, gid, a, b, acc);
    },
    (unit) => mergeUnit(rollups, unit, acc));
  const aggregates = finish(cols, acc, scratch, (plan, cand, cursor, present) => {
    scanAroundUnits(sel, 0, n, units,
      (a, b) => gatherRows(cols, sel, gid, a, b, plan, cand, cursor),
      (unit) => gatherUnit(cols, rollups, unit, present, plan, cand, cursor));
  });
  return aggregates.map((a) => a ?? EMPTY_AGGREGATE);
}

function mergeUnit(rollups: Rollups, unit: Unit, acc: Accumulator): void {
  mergePartial(unit.chunk >= 0 ? rollups.chunkTotals[unit.chunk]! : rollups.blocks.items[unit.block]!, acc, unit.group);
}

function gatherUnit(
  cols: Columns, rollups: Rollups, unit: Unit, present: Float64Array, plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  if (unit.chunk >= 0) gatherBlock(cols, rollups.chunkOrders[unit.chunk]!, unit.first, CHUNK_ROWS, unit.group, present, plan, cand, cursor);
  else gatherBlock(cols, rollups.orders[unit.block]!, unit.first, BLOCK_ROWS, unit.group, present, plan, cand, cursor);
}

/** A run of few rows: pass 1, then selection among all its values (compacted branch-free). */
function smallRun(cols: Columns, rows: Int32Array, from: number, to: number, scratch: Scratch, acc: Accumulator): Aggregate {
  scanRun(cols, rows, from, to, acc, 0);
  acc.settle(cols);
  const counts = acc.allCounts();
  const sums = acc.sums.slice();
  const present = presentCounts(counts, 1);
  const len = to - from;
  scratch.ensureValues(3 * len);
  const values = scratch.values;
  const { flags, duration, ttft, tps, durationKey, ttftKey, tpsKey } = cols;
  const dScale = cols.durationColumn.scale;
  const fScale = cols.ttftColumn.scale;
  const sScale = cols.tpsColumn.scale;
  const bitDuration = BIT_DURATION;
  const bitTtft = BIT_TTFT;
  const bitTps = BIT_TPS;
  const mh = acc.keyHist;
  const ks = KEY_SLOTS;
  const ks2 = 2 * KEY_SLOTS;
  // Every value is written; each cursor only advances past present ones. Clearing just the keys
  // counted costs less than clearing the whole histogram for a few rows.
  let c0 = 0;
  let c1 = len;
  let c2 = 2 * len;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const f = flags[i]!;
    values[c0] = duration[i]! / dScale;
    c0 += (f >> bitDuration) & 1;
    values[c1] = ttft[i]! / fScale;
    c1 += (f >> bitTtft) & 1;
    values[c2] = tps[i]! / sScale;
    c2 += (f >> bitTps) & 1;
    mh[durationKey[i]!] = 0;
    mh[ks + ttftKey[i]!] = 0;
    mh[ks2 + tpsKey[i]!] = 0;
  }
  acc.codeHist.fill(0);
  acc.sums.fill(0);
  acc.raw.fill(0);
  const distributions: Distribution[] = [0, 1, 2].map((m) => selectDistribution(values, m * len, present[m]!, sums[S_METRICS + m]!));
  return build(counts, sums, 0, distributions);
}

/**
 * Aggregates by a dictionary column over rows scratch.sel[0..n): the groups' dictionary ids
 * (-1: null) and their aggregates, in order of first appearance.
 */
export function aggregateByDimension(
  cols: Columns, rollups: Rollups, column: IdArray, dictSize: number, n: number,
  scratch: Scratch, cover: Cover | null, segmentGroups: (segment: number) => SegmentGroups | null,
): { ids: Int32Array; aggregates: Aggregate[] } {
  const { sel, gid } = scratch;
  const { groupCount, ids, remap } = denseGroups(column, sel, gid, 0, n, dictSize);
  if (groupCount > MAX_INTERLEAVED_GROUPS) return { ids, aggregates: aggregateRuns(cols, rollups, scratch, n, groupCount, null) };
  const acc = new Accumulator(groupCount);
  const segments = cover === null ? [] : rollups.segments.within(cover[0], cover[1])
    .filter((s) => segmentGroups(s) !== null);
  scanAround(sel, 0, n, segments, SEGMENT_SHIFT,
    (a, b) => scanInterleaved(cols, sel, gid, a, b, acc),
    (segment) => {
      const groups = segmentGroups(segment)!;
      for (let j = 0; j < groups.ids.length; j++) mergePartial(groups.partials[j]!, acc, remap[slotOf(groups.ids[j]!, dictSize)]!);
    });
  const aggregates = finish(cols, acc, scratch, (plan, cand, cursor) => {
    // Looking values up by key pays while few keys are targeted; with many groups nearly every
    // key is, and one pass over the rows costs less.
    if (groupCount > MAX_KEYED_GATHER_GROUPS) return gatherRows(cols, sel, gid, 0, n, plan, cand, cursor);
    const keys = targetedKeys(plan);
    scanAround(sel, 0, n, segments, SEGMENT_SHIFT,
      (a, b) => gatherRows(cols, sel, gid, a, b, plan, cand, cursor),
      (segment, at) => {
        // A segment's chunks, in its order: chunk c's rows are selection entries from at + its offset.
        const first = segment << SEGMENT_SHIFT;
        for (let offset = 0; offset < 1 << SEGMENT_SHIFT; offset += CHUNK_ROWS) {
          const chunk = (first + offset) / CHUNK_ROWS;
          gatherChunkGroups(cols, rollups.chunkOrders[chunk]!, first + offset, CHUNK_ROWS, gid, at + offset, keys, plan, cand, cursor);
        }
      });
  });
  return { ids, aggregates: aggregates.map((a) => a!) };
}

/**
 * Aggregates of `groupCount` groups over rows scratch.sel[0..n), entry k in group scratch.gid[k]:
 * counting-sorts the selection by group (unless already in group order), then aggregates each run.
 * `blocks[g]`: the sealed blocks to merge into group g (see aggregateRun), or null for none.
 */
export function aggregateRuns(
  cols: Columns, rollups: Rollups, scratch: Scratch, n: number, groupCount: number, blocks: readonly (readonly number[])[] | null,
): Aggregate[] {
  const { sel, gid } = scratch;
  const starts = new Int32Array(groupCount + 1);
  for (let k = 0; k < n; k++) starts[gid[k]! + 1]!++;
  for (let g = 0; g < groupCount; g++) starts[g + 1]! += starts[g]!;
  // Rows usually arrive in time order: when the groups already are, the selection is its own sort.
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) sorted = gid[k - 1]! <= gid[k]!;
  let rows = sel;
  if (!sorted) {
    const perm = scratch.perm(n);
    const cursor = starts.slice(0, groupCount);
    for (let k = 0; k < n; k++) perm[cursor[gid[k]!]!++] = sel[k]!;
    rows = perm;
  }
  const out = new Array<Aggregate>(groupCount);
  for (let g = 0; g < groupCount; g++) {
    out[g] = aggregateRun(cols, rollups, rows, starts[g]!, starts[g + 1]!, scratch, blocks === null ? [] : blocks[g]!);
  }
  return out;
}
