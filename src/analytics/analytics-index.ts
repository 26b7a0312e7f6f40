/**
 * In-memory analytics over every recorded request (the `Analytics` the stats API reads).
 *
 * - Storage (columns.ts): growable typed-array columns, strings dictionary-encoded, tag posting
 *   lists; about 100 bytes per record.
 * - Filtering (select.ts): filter strings resolved to dictionary ids once per query (an unknown
 *   value matches nothing at once), tag filters as posting-list intersections, time ranges
 *   through per-block start_time zone maps, then an integer scan into a selection vector.
 * - Aggregation (accumulate.ts, completion.ts): branch-free column passes; exact nearest-rank
 *   percentiles by histogram-narrowed selection (percentile.ts), never a full sort.
 *
 * Queries are synchronous and share scratch buffers (one set per index).
 */
import type { RequestRecord } from '../store/types.js';
import { COMPLETION_ENDPOINTS } from '../capture/endpoints.js';
import type { Aggregate, Analytics, CompletionOverview, Group, GroupDimension, StatsFilter, TimeBucket } from './types.js';
import { Columns, type Dictionary } from './columns.js';
import { resolveFilter, selectRows, selectsAll } from './select.js';
import { aggregateByColumn, aggregateGroups, aggregateRange, aggregateRuns, canGroupByColumn } from './accumulate.js';
import { Scratch } from './scratch.js';
import { completionOverview } from './completion.js';
import { warmUp } from './warm-up.js';

/** Upper bound on buckets per timeseries call, so a tiny bucket over a long range cannot exhaust memory. */
export const MAX_TIMESERIES_BUCKETS = 100_000;

const COMPLETION_SET: ReadonlySet<string> = new Set(COMPLETION_ENDPOINTS);

let warmedUp = false;

export class AnalyticsIndex implements Analytics {
  private readonly cols = new Columns();
  private readonly scratch = new Scratch();
  /** 1 for endpoint ids that are completion endpoints; extended as endpoints appear. */
  private completionTable = new Uint8Array(0);

  constructor() {
    if (!warmedUp) {
      warmedUp = true;
      warmUp(() => new AnalyticsIndex());
    }
  }

  /** Appends records (in the order given: the index's row order). */
  add(records: readonly RequestRecord[]): void {
    this.cols.add(records);
  }

  get size(): number {
    return this.cols.size;
  }

  /** Bytes allocated by the columns, tag posting lists and row scratch buffers (not dictionaries). */
  get allocatedBytes(): number {
    return this.cols.allocatedBytes + this.scratch.byteLength;
  }

  aggregate(filter: StatsFilter): Aggregate {
    const n = this.select(filter);
    return aggregateRange(this.cols, this.scratch.sel, 0, n, this.scratch);
  }

  groupBy(dimension: GroupDimension, filter: StatsFilter): Group[] {
    const n = this.select(filter);
    if (n === 0) return [];
    const { column, dict } = this.dimension(dimension);
    if (canGroupByColumn(dict.size, n)) {
      const bySlot = aggregateByColumn(this.cols, column, this.scratch, n, dict.size);
      const groups: Group[] = [];
      for (let slot = 0; slot < bySlot.length; slot++) {
        const aggregate = bySlot[slot];
        if (aggregate) groups.push({ key: slot === 0 ? null : dict.values[slot - 1]!, aggregate });
      }
      groups.sort(compareGroups);
      return groups;
    }
    const { groupCount, ids } = denseGroups(column, this.scratch.sel, this.scratch.gid, n, dict.size);
    const keys = Array.from(ids.subarray(0, groupCount), (id) => (id < 0 ? null : dict.values[id]!));
    const aggregates = aggregateGroups(this.cols, this.scratch, n, keys.length);
    const groups: Group[] = keys.map((key, g) => ({ key, aggregate: aggregates[g]! }));
    groups.sort(compareGroups);
    return groups;
  }

  timeseries(filter: StatsFilter & { start: number; end: number }, bucketMs: number): TimeBucket[] {
    const { start, end } = filter;
    if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError('timeseries needs a finite start and end');
    if (!Number.isFinite(bucketMs) || bucketMs <= 0) throw new RangeError('bucketMs must be a positive number');
    if (!(start < end)) return [];
    const first = Math.floor(start / bucketMs) * bucketMs;
    const count = Math.ceil((end - first) / bucketMs);
    if (count > MAX_TIMESERIES_BUCKETS) {
      throw new RangeError(`timeseries would have ${count} buckets (at most ${MAX_TIMESERIES_BUCKETS})`);
    }
    const n = this.select(filter);
    const { sel, gid } = this.scratch;
    const st = this.cols.startTime;
    const lastBucket = count - 1;
    for (let k = 0; k < n; k++) {
      const b = Math.floor((st[sel[k]!]! - first) / bucketMs);
      gid[k] = b < 0 ? 0 : b > lastBucket ? lastBucket : b;
    }
    const aggregates = aggregateRuns(this.cols, this.scratch, n, count);
    const out: TimeBucket[] = new Array<TimeBucket>(count);
    for (let b = 0; b < count; b++) out[b] = { start: first + b * bucketMs, aggregate: aggregates[b]! };
    return out;
  }

  completionOverview(filter: StatsFilter): CompletionOverview {
    const n = this.select(filter, this.completionEndpoints());
    return completionOverview(this.cols, this.scratch.sel, n);
  }

  /** Fills scratch.sel with the matching rows; returns how many. */
  private select(filter: StatsFilter, endpointTable: Uint8Array | null = null): number {
    const size = this.cols.size;
    this.scratch.ensure(size);
    const resolved = resolveFilter(this.cols, filter, endpointTable);
    if (selectsAll(resolved)) {
      this.scratch.useAllRows(size);
      return size;
    }
    return selectRows(this.cols, resolved, this.scratch.useBuffer());
  }

  private completionEndpoints(): Uint8Array {
    const names = this.cols.endpoints.values;
    if (this.completionTable.length < names.length) {
      const table = new Uint8Array(names.length);
      for (let id = 0; id < names.length; id++) table[id] = COMPLETION_SET.has(names[id]!) ? 1 : 0;
      this.completionTable = table;
    }
    return this.completionTable;
  }

  private dimension(dimension: GroupDimension): { column: Int32Array; dict: Dictionary } {
    const c = this.cols;
    switch (dimension) {
      case 'model':
        return { column: c.model, dict: c.models };
      case 'api_key_id':
        return { column: c.apiKey, dict: c.apiKeys };
      case 'user':
        return { column: c.user, dict: c.users };
      case 'endpoint':
        return { column: c.endpoint, dict: c.endpoints };
      default:
        throw new RangeError(`unknown group dimension: ${String(dimension)}`);
    }
  }
}

/**
 * Numbers the groups of the selected rows densely in order of first appearance into gid[0..n);
 * `ids` maps each group to its dictionary id (-1: null). Typed arrays only, so the loop stays
 * monomorphic.
 */
function denseGroups(
  column: Int32Array, sel: Int32Array, gid: Int32Array, n: number, dictSize: number,
): { groupCount: number; ids: Int32Array } {
  // Dictionary id -1 (null) goes through slot dictSize.
  const remap = new Int32Array(dictSize + 1).fill(-1);
  const ids = new Int32Array(dictSize + 1);
  let groupCount = 0;
  for (let k = 0; k < n; k++) {
    const id = column[sel[k]!]!;
    const slot = id < 0 ? dictSize : id;
    let g = remap[slot]!;
    if (g < 0) {
      g = groupCount++;
      remap[slot] = g;
      ids[g] = id;
    }
    gid[k] = g;
  }
  return { groupCount, ids };
}

/** Most requests first; ties by key ascending (code unit order), null last. */
function compareGroups(a: Group, b: Group): number {
  const d = b.aggregate.requests - a.aggregate.requests;
  if (d !== 0) return d;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}
