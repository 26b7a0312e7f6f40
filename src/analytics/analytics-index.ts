/**
 * In-memory analytics over every recorded request (the `Analytics` the stats API reads).
 *
 * - Storage (columns.ts): growable typed-array columns, strings dictionary-encoded, tag posting
 *   lists, each metric's bucket key (value-keys.ts); about 115 bytes per record.
 * - Filtering (select.ts): filter strings resolved to dictionary ids once per query (an unknown
 *   value matches nothing at once), tag filters as posting-list intersections, time ranges
 *   through per-block start_time zone maps, then an integer scan into a selection vector.
 * - Aggregation (accumulate.ts, accumulator.ts, gather.ts, completion*.ts): branch-free column
 *   passes; exact nearest-rank percentiles from key histograms plus selection inside the bucket
 *   holding each rank (percentile-plan.ts), never a full sort.
 * - Rollups (rollups.ts): partials of sealed 256-row blocks and 65,536-row segments, merged
 *   instead of scanned when the filter is time only; about 20 bytes per record more.
 *
 * Queries are synchronous and share scratch buffers (one set per index).
 */
import type { AnalyticsRecord } from '../domain/request-record.js';
import { COMPLETION_ENDPOINTS } from '../domain/endpoints.js';
import type { StatsFilter } from '../domain/stats-filter.js';
import type { Aggregate, IndexQueries, CompletionOverview, Group, GroupDimension, TimeBucket } from './types.js';
import { Columns, type Dictionary, type IdArray } from './columns.js';
import { resolveFilter, selectRows, selectsAll, timeOnly, zoneSpan } from './select.js';
import { aggregateBuckets, aggregateByDimension, aggregateRun, aggregateRuns, type Cover, MAX_INTERLEAVED_GROUPS } from './accumulate.js';
import { BLOCK_SHIFT, Rollups, scanAround, SEGMENT_ROWS } from './rollups.js';
import { CompletionTotals, scanCompletion } from './completion-totals.js';
import { assignBuckets, blocksInBuckets } from './time-buckets.js';
import { Scratch } from './scratch.js';
import { completionOverview } from './completion.js';
import { warmUp, warmUpAdd } from './warm-up.js';
import { compareGroups } from './group-order.js';

/** Upper bound on buckets per timeseries call, so a tiny bucket over a long range cannot exhaust memory. */
export const MAX_TIMESERIES_BUCKETS = 100_000;

const COMPLETION_SET: ReadonlySet<string> = new Set(COMPLETION_ENDPOINTS);

/**
 * The first query on an index at least this large warms every query path up first (warm-up.ts):
 * once per process, ~0.1 s. Smaller indexes need no warm-up (their own queries give the code its
 * type feedback before any loop is long enough to be compiled on the stack), and an idle service
 * on a small database keeps the ~10 MB the warmed-up code takes.
 */
const WARM_UP_ROWS = 20_000;
let warmedUp = false;
let addWarmedUp = false;

export class AnalyticsIndex implements IndexQueries {
  private readonly cols = new Columns();
  private readonly scratch = new Scratch();
  private readonly rollups = new Rollups();
  /** The last selection's cover (see select). */
  private cover: Cover | null = null;
  /** 1 for endpoint ids that are completion endpoints; extended as endpoints appear. */
  private completionTable = new Uint8Array(0);

  constructor() {
    if (!addWarmedUp) {
      addWarmedUp = true;
      warmUpAdd(() => new AnalyticsIndex());
    }
  }

  /** Appends records (in the order given: the index's row order). */
  add(records: readonly AnalyticsRecord[]): void {
    this.cols.add(records);
    this.rollups.update(this.cols, this.completionEndpoints());
  }

  /**
   * Makes room for `rows` rows in all, so that adding up to that many copies no column: for a
   * load whose size is known (the store's row count at start-up). Without it, columns grow by a
   * quarter when full (each growth copies them).
   */
  reserve(rows: number): void {
    this.cols.reserve(rows);
  }

  /**
   * Drops leading rows that all started before `cutoff` (retention), returning how many: whole
   * sealed segments (SEGMENT_ROWS rows) whose latest start time is before it, or every row when
   * all are. Rows are only nearly in time order, so some rows before the cutoff may stay (the
   * caller excludes them by time); no row at or after it ever goes. Answers for filters starting
   * at or after the cutoff are unchanged. Later rows are renumbered down; the dictionaries stay.
   * When a third of the columns' room or more would stay empty, they move into smaller arrays:
   * up to 8 MB of rows in this call, the rest in the next calls of add().
   */
  dropBefore(cutoff: number): number {
    const size = this.cols.size;
    const segments = this.rollups.segments;
    let sealed = 0;
    while (sealed < segments.items.length && segments.max[sealed]! < cutoff) sealed++;
    let rows = sealed * SEGMENT_ROWS;
    if (sealed === segments.items.length && size > 0) {
      const st = this.cols.startTime;
      let all = true;
      for (let i = rows; i < size && all; i++) all = st[i]! < cutoff;
      if (all) rows = size;
    }
    if (rows === 0) return 0;
    this.cols.dropLeading(rows);
    this.rollups.dropLeading(rows);
    this.scratch.shrink(this.cols.size);
    this.cover = null;
    return rows;
  }

  get size(): number {
    return this.cols.size;
  }

  /** Bytes allocated by the columns, tag posting lists, rollups and row scratch buffers (not dictionaries). */
  get allocatedBytes(): number {
    return this.cols.allocatedBytes + this.scratch.byteLength + this.rollups.byteLength;
  }

  aggregate(filter: StatsFilter): Aggregate {
    const n = this.select(filter);
    const blocks = this.cover === null ? [] : this.rollups.blocks.within(this.cover[0], this.cover[1]);
    const result = aggregateRun(this.cols, this.rollups, this.scratch.sel, 0, n, this.scratch, blocks);
    this.scratch.trim();
    return result;
  }

  groupBy(dimension: GroupDimension, filter: StatsFilter): Group[] {
    const n = this.select(filter);
    if (n === 0) return [];
    const { column, dict } = this.dimension(dimension);
    const { ids, aggregates } = aggregateByDimension(this.cols, this.rollups, column, dict.size, n, this.scratch, this.cover,
      (s) => this.rollups.segmentGroups(s, dimension, this.cols, this.dimensionColumn));
    const groups: Group[] = aggregates.map((aggregate, g) => {
      const id = ids[g]!;
      return { key: id < 0 ? null : dict.values[id]!, aggregate };
    });
    groups.sort((a, b) => compareGroups({ key: a.key, requests: a.aggregate.requests }, { key: b.key, requests: b.aggregate.requests }));
    this.scratch.trim();
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
    const cover = this.cover;
    const { blocks, buckets } = cover === null
      ? { blocks: [], buckets: [] }
      : blocksInBuckets(this.rollups.blocks.min, this.rollups.blocks.max, cover[0], cover[1], first, bucketMs, count);
    let aggregates: Aggregate[];
    if (count <= MAX_INTERLEAVED_GROUPS) {
      // Only the rows scanned between merged blocks need their bucket.
      aggregates = aggregateBuckets(this.cols, this.rollups, this.scratch, n, count, blocks, buckets,
        (a, b) => assignBuckets(this.cols.startTime, this.scratch.sel, this.scratch.gid, a, b, first, bucketMs, count));
    } else {
      assignBuckets(this.cols.startTime, this.scratch.sel, this.scratch.gid, 0, n, first, bucketMs, count);
      const lists: number[][] = Array.from({ length: count }, () => []);
      for (let j = 0; j < blocks.length; j++) lists[buckets[j]!]!.push(blocks[j]!);
      aggregates = aggregateRuns(this.cols, this.rollups, this.scratch, n, count, lists);
    }
    const out: TimeBucket[] = new Array<TimeBucket>(count);
    for (let b = 0; b < count; b++) out[b] = { start: first + b * bucketMs, aggregate: aggregates[b]! };
    this.scratch.trim();
    return out;
  }

  completionOverview(filter: StatsFilter): CompletionOverview {
    const n = this.select(filter, this.completionEndpoints());
    const { sel } = this.scratch;
    const totals = new CompletionTotals(this.cols);
    const blocks = this.cover === null ? [] : this.rollups.blocks.within(this.cover[0], this.cover[1]);
    scanAround(sel, 0, n, blocks, BLOCK_SHIFT,
      (a, b) => scanCompletion(this.cols, sel, a, b, totals),
      (block) => totals.merge(this.rollups.completions[block]!));
    return completionOverview(this.cols, totals);
  }

  timeSpan(filter: StatsFilter): { first: number; last: number } | null {
    const resolved = resolveFilter(this.cols, filter);
    if (timeOnly(resolved)) return zoneSpan(this.cols, resolved.start, resolved.end);
    const n = this.select(filter);
    const { sel } = this.scratch;
    const st = this.cols.startTime;
    let first = Infinity;
    let last = -Infinity;
    for (let k = 0; k < n; k++) {
      const t = st[sel[k]!]!;
      if (t < first) first = t;
      if (t > last) last = t;
    }
    return first <= last ? { first, last } : null;
  }

  /**
   * Fills scratch.sel with the matching rows; returns how many. Sets `cover` to the filter's time
   * span when that is its only condition (every row in the span is selected), else null.
   */
  /** Warms every query path up now if this index is large enough to need it (see WARM_UP_ROWS). */
  warmUpIfLarge(): void {
    if (warmedUp || this.cols.size < WARM_UP_ROWS) return;
    warmedUp = true;
    warmUp(() => new AnalyticsIndex());
  }

  private select(filter: StatsFilter, endpointTable: Uint8Array | null = null): number {
    this.warmUpIfLarge();
    const size = this.cols.size;
    this.scratch.ensure(size);
    const resolved = resolveFilter(this.cols, filter, endpointTable);
    this.cover = timeOnly(resolved) ? [resolved.start, resolved.end] : null;
    if (selectsAll(resolved)) {
      this.scratch.useAllRows(size);
      return size;
    }
    return selectRows(this.cols, resolved, this.scratch.useBuffer());
  }

  private readonly dimensionColumn = (d: GroupDimension): { column: IdArray; dictSize: number } => {
    const { column, dict } = this.dimension(d);
    return { column, dictSize: dict.size };
  };

  private completionEndpoints(): Uint8Array {
    const names = this.cols.endpoints.values;
    if (this.completionTable.length < names.length) {
      const table = new Uint8Array(names.length);
      for (let id = 0; id < names.length; id++) table[id] = COMPLETION_SET.has(names[id]!) ? 1 : 0;
      this.completionTable = table;
    }
    return this.completionTable;
  }

  private dimension(dimension: GroupDimension): { column: IdArray; dict: Dictionary } {
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
      case 'streamed':
        return { column: c.streamed, dict: c.streamedKeys };
      default:
        throw new RangeError(`unknown group dimension: ${String(dimension)}`);
    }
  }
}
