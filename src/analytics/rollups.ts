/**
 * Partial aggregates of sealed row ranges, merged instead of scanned when a query has no filter
 * but time (or none) and a range's rows all lie inside its time range (and, for a time bucket,
 * inside the bucket): then every row of the range is selected, so its totals are known already.
 *
 * - each block of BLOCK_ROWS rows: the totals of all its rows (aggregate, time buckets) and of
 *   its completion rows (the `/metrics` overview);
 * - each chunk of CHUNK_ROWS rows (16 blocks): the totals of all its rows, merged at once when
 *   all its blocks would be (a long range, a large time bucket);
 * - each segment of SEGMENT_ROWS rows: the totals of every group of each group-by dimension,
 *   unless the segment holds more than MAX_SEGMENT_GROUPS groups in that dimension.
 *
 * Rows never change once added, so a range's partials are computed once, when it fills. Only the
 * counts, sums and key histograms come from partials: percentile values are still read from the
 * rows (accumulator.ts, pass 2), so answers stay exact; blocks and chunks keep their rows
 * ordered by each metric's key, so that pass finds their values in a bucket without a scan.
 */
import { Accumulator, packPartial, type Partial, partialBytes, scanInterleaved, scanRun } from './accumulator.js';
import type { Columns, IdArray } from './columns.js';
import { type CompletionPartial, CompletionTotals, scanCompletion } from './completion-totals.js';
import { denseGroups } from './dense-groups.js';
import { keyOrder } from './gather.js';
import type { GroupDimension } from './types.js';

export const BLOCK_SHIFT = 8;
export const SEGMENT_SHIFT = 16;
export const BLOCK_ROWS = 1 << BLOCK_SHIFT;
export const SEGMENT_ROWS = 1 << SEGMENT_SHIFT;
export const CHUNK_SHIFT = 12;
export const CHUNK_ROWS = 1 << CHUNK_SHIFT;
const BLOCKS_PER_CHUNK = CHUNK_ROWS / BLOCK_ROWS;
/** Above this many groups in a segment, a dimension's partials would cost more memory than they save time. */
export const MAX_SEGMENT_GROUPS = 1024;

/** One segment's partials of one dimension: group dictionary ids (-1: null) and their totals. */
export interface SegmentGroups {
  readonly ids: Int32Array;
  readonly partials: readonly Partial[];
}

export type DimensionColumn = (dimension: GroupDimension) => { column: IdArray; dictSize: number };

/** Sealed ranges of one size: per range its start-time span and what was computed for it. */
class Ranges<T> {
  readonly items: T[] = [];
  readonly min: number[] = [];
  readonly max: number[] = [];

  push(item: T, min: number, max: number): void {
    this.items.push(item);
    this.min.push(min);
    this.max.push(max);
  }

  /** Removes the first n ranges. */
  dropLeading(n: number): void {
    this.items.splice(0, n);
    this.min.splice(0, n);
    this.max.splice(0, n);
  }

  /** Ranges whose rows all started in [lo, hi), ascending. */
  within(lo: number, hi: number): number[] {
    const out: number[] = [];
    for (let r = 0; r < this.items.length; r++) if (this.min[r]! >= lo && this.max[r]! < hi) out.push(r);
    return out;
  }
}

export class Rollups {
  readonly blocks = new Ranges<Partial>();
  /** Per block: its rows ordered by each metric's key (gather.ts). */
  readonly orders: Uint8Array[] = [];
  /** Per block: the totals of its completion rows (the `/metrics` overview). */
  readonly completions: CompletionPartial[] = [];
  readonly segments = new Ranges<Map<GroupDimension, SegmentGroups | null>>();
  /** Per chunk: the totals of all its rows, and its rows ordered by each metric's key. */
  readonly chunkTotals: Partial[] = [];
  readonly chunkOrders: Uint16Array[] = [];
  private readonly block = new Accumulator(1);
  private bytes = 0;
  /** Row numbers of the range being sealed (rangeRows), and its rows' groups. */
  private rows = new Int32Array(0);
  private gid = new Int32Array(0);

  /** rows[k] = from + k for k < count. */
  private rangeRows(from: number, count: number): Int32Array {
    if (this.rows.length < count) this.rows = new Int32Array(count);
    const rows = this.rows;
    for (let k = 0; k < count; k++) rows[k] = from + k;
    return rows;
  }

  /** Seals every range that has filled since the last call. */
  update(cols: Columns, completionTable: Uint8Array): void {
    while ((this.blocks.items.length + 1) * BLOCK_ROWS <= cols.size) {
      const from = this.blocks.items.length * BLOCK_ROWS;
      const rows = this.rangeRows(from, BLOCK_ROWS);
      this.block.reset();
      scanRun(cols, rows, 0, BLOCK_ROWS, this.block, 0);
      this.block.settle(cols);
      const partial = packPartial(this.block, 0, this.block.allCounts());
      const order = keyOrder(cols, from, BLOCK_ROWS, this.block.keyHist, Uint8Array);
      this.bytes += partialBytes(partial) + order.byteLength;
      this.blocks.push(partial, ...timeSpan(cols.startTime, from, from + BLOCK_ROWS));
      this.orders.push(order);
      const completion = new CompletionTotals(cols);
      scanCompletion(cols, rows, 0, BLOCK_ROWS, completion, completionTable);
      const packed = completion.pack();
      this.completions.push(packed);
      this.bytes += packed.sums.byteLength + packed.counts.byteLength;
    }
    while ((this.segments.items.length + 1) * SEGMENT_ROWS <= cols.size) {
      const from = this.segments.items.length * SEGMENT_ROWS;
      // The groups' partials are computed by the first group-by that can use them (segmentGroups).
      this.segments.push(new Map(), ...timeSpan(cols.startTime, from, from + SEGMENT_ROWS));
    }
    while ((this.chunkTotals.length + 1) * CHUNK_ROWS <= cols.size) {
      const from = this.chunkTotals.length * CHUNK_ROWS;
      const rows = this.rangeRows(from, CHUNK_ROWS);
      this.block.reset();
      scanRun(cols, rows, 0, CHUNK_ROWS, this.block, 0);
      this.block.settle(cols);
      const total = packPartial(this.block, 0, this.block.allCounts());
      const order = keyOrder(cols, from, CHUNK_ROWS, this.block.keyHist, Uint16Array);
      this.chunkTotals.push(total);
      this.chunkOrders.push(order);
      this.bytes += partialBytes(total) + order.byteLength;
    }
  }

  /**
   * Sealed segment s's partials of each group of a dimension, computed on first use; null when
   * the segment holds more than MAX_SEGMENT_GROUPS groups in it.
   */
  segmentGroups(s: number, d: GroupDimension, cols: Columns, dimension: DimensionColumn): SegmentGroups | null {
    const byDimension = this.segments.items[s]!;
    let groups = byDimension.get(d);
    if (groups === undefined) {
      const { column, dictSize } = dimension(d);
      const rows = this.rangeRows(s * SEGMENT_ROWS, SEGMENT_ROWS);
      if (this.gid.length < SEGMENT_ROWS) this.gid = new Int32Array(SEGMENT_ROWS);
      groups = sealSegment(cols, column, dictSize, rows, this.gid, SEGMENT_ROWS);
      for (const p of groups?.partials ?? []) this.bytes += partialBytes(p);
      byDimension.set(d, groups);
    }
    return groups;
  }

  /**
   * Forgets the partials of the first `rows` rows, which the columns dropped: a multiple of
   * SEGMENT_ROWS (so that blocks, chunks and segments stay aligned on row numbers), or every row.
   */
  dropLeading(rows: number): void {
    if (rows % SEGMENT_ROWS !== 0 && rows < this.blocks.items.length * BLOCK_ROWS) {
      throw new RangeError(`rollups can drop whole segments or everything, not ${rows} rows`);
    }
    const blocks = Math.min(this.blocks.items.length, Math.floor(rows / BLOCK_ROWS));
    for (let b = 0; b < blocks; b++) {
      const completion = this.completions[b]!;
      this.bytes -= partialBytes(this.blocks.items[b]!) + this.orders[b]!.byteLength + completion.sums.byteLength + completion.counts.byteLength;
    }
    this.blocks.dropLeading(blocks);
    this.orders.splice(0, blocks);
    this.completions.splice(0, blocks);
    const chunks = Math.min(this.chunkTotals.length, Math.floor(rows / CHUNK_ROWS));
    for (let c = 0; c < chunks; c++) this.bytes -= partialBytes(this.chunkTotals[c]!) + this.chunkOrders[c]!.byteLength;
    this.chunkTotals.splice(0, chunks);
    this.chunkOrders.splice(0, chunks);
    const segments = Math.min(this.segments.items.length, Math.floor(rows / SEGMENT_ROWS));
    for (let s = 0; s < segments; s++) {
      for (const groups of this.segments.items[s]!.values()) for (const p of groups?.partials ?? []) this.bytes -= partialBytes(p);
    }
    this.segments.dropLeading(segments);
  }

  /** Bytes held by the partials' arrays. */
  get byteLength(): number {
    return this.bytes;
  }
}

/** Smallest and largest start time of rows [from, to); a NaN time makes the range never "within". */
function timeSpan(startTime: Float64Array, from: number, to: number): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const t = startTime[i]!;
    if (Number.isNaN(t)) return [-Infinity, Infinity];
    if (t < min) min = t;
    if (t > max) max = t;
  }
  return [min, max];
}

/** The partials of each group of `column` among rows[0..count). */
function sealSegment(
  cols: Columns, column: IdArray, dictSize: number, rows: Int32Array, gid: Int32Array, count: number,
): SegmentGroups | null {
  const { groupCount, ids } = denseGroups(column, rows, gid, 0, count, dictSize);
  if (groupCount > MAX_SEGMENT_GROUPS) return null;
  const acc = new Accumulator(groupCount);
  scanInterleaved(cols, rows, gid, 0, count, acc);
  acc.settle(cols);
  const counts = acc.allCounts();
  const partials: Partial[] = [];
  for (let g = 0; g < groupCount; g++) partials.push(packPartial(acc, g, counts));
  return { ids: ids.slice(0, groupCount), partials };
}

/** A sealed range merged instead of scanned: a chunk (block -1) or a block (chunk -1), into group `group`. */
export interface Unit {
  readonly first: number;
  readonly end: number;
  readonly chunk: number;
  readonly block: number;
  readonly group: number;
}

/**
 * `blocks` (ascending, each of whose rows is selected; block j into group groups[j], or 0) as
 * units: a sealed chunk all of whose blocks are listed, into one group, becomes one unit.
 */
export function coverUnits(blocks: readonly number[], sealedChunks: number, groups?: readonly number[]): Unit[] {
  const units: Unit[] = [];
  for (let j = 0; j < blocks.length;) {
    const b = blocks[j]!;
    const c = b / BLOCKS_PER_CHUNK;
    const last = j + BLOCKS_PER_CHUNK - 1;
    const group = groups === undefined ? 0 : groups[j]!;
    if (Number.isInteger(c) && c < sealedChunks && blocks[last] === b + BLOCKS_PER_CHUNK - 1 && sameGroup(groups, j, last)) {
      units.push({ first: c * CHUNK_ROWS, end: (c + 1) * CHUNK_ROWS, chunk: c, block: -1, group });
      j += BLOCKS_PER_CHUNK;
    } else {
      units.push({ first: b * BLOCK_ROWS, end: (b + 1) * BLOCK_ROWS, chunk: -1, block: b, group });
      j++;
    }
  }
  return units;
}

/** Whether groups[from..to] are all equal (rows are only nearly in time order: a block between two may lie in another bucket). */
function sameGroup(groups: readonly number[] | undefined, from: number, to: number): boolean {
  if (groups === undefined) return true;
  for (let j = from + 1; j <= to; j++) if (groups[j] !== groups[from]) return false;
  return true;
}

/** scanAround over units of different sizes. */
export function scanAroundUnits(
  rows: Int32Array, from: number, to: number, units: readonly Unit[],
  scan: (from: number, to: number) => void, merge: (unit: Unit, at: number) => void,
): void {
  scanBetween(rows, from, to, units, (u) => u.first, (u) => u.end, scan, merge);
}

/**
 * Visits rows[from..to) (ascending) as stretches to scan between whole ranges to merge: `units`
 * are ascending indexes of ranges of 2^shift rows, each of whose selected rows (all of them, or
 * all of one kind: completions) is among rows[from..to). `merge` also gets the position in rows
 * where the unit's rows begin.
 */
export function scanAround(
  rows: Int32Array, from: number, to: number, units: readonly number[], shift: number,
  scan: (from: number, to: number) => void, merge: (unit: number, at: number) => void,
): void {
  scanBetween(rows, from, to, units, (u) => u << shift, (u) => (u + 1) << shift, scan, merge);
}

function scanBetween<U>(
  rows: Int32Array, from: number, to: number, units: readonly U[], first: (unit: U) => number, end: (unit: U) => number,
  scan: (from: number, to: number) => void, merge: (unit: U, at: number) => void,
): void {
  let k = from;
  for (const unit of units) {
    const at = lowerBound(rows, k, to, first(unit));
    scan(k, at);
    merge(unit, at);
    k = lowerBound(rows, at, to, end(unit));
  }
  scan(k, to);
}

/** The first k in [lo, hi) with rows[k] ≥ value (hi when none). */
function lowerBound(rows: Int32Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
