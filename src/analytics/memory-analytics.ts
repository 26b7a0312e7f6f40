/**
 * The `Analytics` engine for the embedded store: the in-memory index (analytics-index.ts) answers
 * every aggregate; the store's daily rollups answer the whole days of `usage`. Rows older than
 * the retention floor are excluded from every answer here, whether or not the index has dropped
 * them physically yet.
 */
import type { StatsFilter } from '../domain/stats-filter.js';
import { addUsage, DAY_MS, periodStart, utcDay, ZERO_USAGE, type UsageTotals } from '../domain/usage.js';
import type { Aggregate, Analytics, IndexQueries, TimeBucket, UsageQuery, UsageReport, UsageRow } from './types.js';
import { EMPTY_AGGREGATE } from './accumulator.js';
import type { Store } from '../store/types.js';
import { compareGroups } from './group-order.js';

/** Whole UTC days of the daily rollups: the store provides them. */
export type DailyUsageSource = Pick<Store, 'dailyUsage' | 'usageSpan' | 'retention'>;

export class MemoryAnalytics implements Analytics {
  private floor: number | null = null;

  constructor(
    private readonly index: IndexQueries,
    private readonly days: DailyUsageSource,
  ) {}

  /** Rows with start_time < t were deleted by retention: no answer includes them from now on. */
  setRetainedFrom(t: number | null): void {
    if (t === null) return;
    if (this.floor === null || t > this.floor) this.floor = t;
  }

  async retainedFrom(): Promise<number | null> {
    return this.floor;
  }

  async aggregate(filter: StatsFilter): Promise<Aggregate> {
    return this.index.aggregate(this.clamp(filter));
  }

  async groupBy(...[dimension, filter]: Parameters<IndexQueries['groupBy']>) {
    return this.index.groupBy(dimension, this.clamp(filter));
  }

  async completionOverview(filter: StatsFilter) {
    return this.index.completionOverview(this.clamp(filter));
  }

  async timeSpan(filter: StatsFilter) {
    return this.index.timeSpan(this.clamp(filter));
  }

  async timeseries(filter: StatsFilter & { start: number; end: number }, bucketMs: number): Promise<TimeBucket[]> {
    const floor = this.floor;
    if (floor === null || filter.start >= floor) return this.index.timeseries(filter, bucketMs);
    // Buckets lie on an epoch-aligned grid, so starting at the floor only drops leading buckets:
    // those wholly before it are empty, the one holding it counts rows from the floor on.
    const all = this.index.timeseries(filter, bucketMs); // validates the arguments and gives the grid
    if (all.length === 0 || floor >= filter.end) return all.map((b) => ({ start: b.start, aggregate: EMPTY_AGGREGATE }));
    const kept = this.index.timeseries({ ...filter, start: floor }, bucketMs);
    const firstKept = kept[0]?.start ?? Infinity;
    return [...all.filter((b) => b.start < firstKept).map((b) => ({ start: b.start, aggregate: EMPTY_AGGREGATE })), ...kept];
  }

  async usage(query: UsageQuery): Promise<UsageReport> {
    const [span, marks] = await Promise.all([this.days.usageSpan(), this.days.retention()]);
    const usageRetainedFrom = marks.usageBefore;
    const start = query.start ?? span?.first ?? query.end;
    const end = query.end;
    if (!(start < end)) return { start, end: Math.max(start, end), rows: [], totals: ZERO_USAGE, partial: false, usageRetainedFrom };
    const { filter, groupBy, granularity } = query;
    const firstWhole = Math.ceil(start / DAY_MS) * DAY_MS;
    const endWhole = utcDay(end);
    const sums = new Map<string, { period: number; key: string | null; usage: UsageTotals }>();
    const add = (t: number, key: string | null, usage: UsageTotals): void => {
      const period = periodStart(t, granularity);
      const id = `${period}\u0000${key === null ? '\u0001' : `\u0002${key}`}`;
      const held = sums.get(id);
      sums.set(id, { period, key, usage: held === undefined ? usage : addUsage(held.usage, usage) });
    };
    let partial = usageRetainedFrom !== null && start < usageRetainedFrom;
    const fromRows = (a: number, b: number): void => {
      const floor = this.floor ?? -Infinity;
      if (a < floor) {
        partial = true;
        a = floor;
      }
      if (!(a < b)) return;
      const range: StatsFilter = { ...filter, start: a, end: b };
      if (groupBy === null) {
        const aggregate = this.index.aggregate(range);
        if (aggregate.requests > 0) add(a, null, usageOf(aggregate));
      } else {
        for (const g of this.index.groupBy(groupBy, range)) add(a, g.key, usageOf(g.aggregate));
      }
    };
    if (firstWhole > endWhole) {
      fromRows(start, end); // inside one UTC day
    } else {
      if (start < firstWhole) fromRows(start, firstWhole);
      for (const row of await this.days.dailyUsage({ fromDay: firstWhole, toDay: endWhole, filter, groupBy })) {
        add(row.day, groupBy === null ? null : (row.key ?? null), row.usage);
      }
      if (endWhole < end) fromRows(endWhole, end);
    }
    const rows: UsageRow[] = [...sums.values()]
      .sort(compareUsageRows)
      .map((r) => (groupBy === null ? { period: r.period, usage: r.usage } : { period: r.period, key: r.key, usage: r.usage }));
    const totals = rows.reduce((sum, r) => addUsage(sum, r.usage), ZERO_USAGE);
    return { start, end, rows, totals, partial, usageRetainedFrom };
  }

  private clamp(filter: StatsFilter): StatsFilter {
    const floor = this.floor;
    if (floor === null || (filter.start !== undefined && filter.start >= floor)) return filter;
    return { ...filter, start: floor };
  }
}

/** Usage sums of an aggregate: exact counts and token sums; the duration sum from its average. */
export function usageOf(a: Aggregate): UsageTotals {
  return {
    requests: a.requests,
    errors: a.errors,
    input_tokens: a.input_tokens,
    output_tokens: a.output_tokens,
    total_tokens: a.total_tokens,
    cached_input_tokens: a.cached_input_tokens,
    reasoning_tokens: a.reasoning_tokens,
    cost_usd: a.cost_usd,
    duration_ms: (a.duration_ms.avg ?? 0) * a.duration_ms.count,
  };
}

/** By period; then as group lists are: most requests first, ties by key ascending, null last. */
function compareUsageRows(
  a: { period: number; key: string | null; usage: UsageTotals },
  b: { period: number; key: string | null; usage: UsageTotals },
): number {
  if (a.period !== b.period) return a.period - b.period;
  return compareGroups({ key: a.key, requests: a.usage.requests }, { key: b.key, requests: b.usage.requests });
}
