/**
 * The query side of the product: the aggregates every stats endpoint answers with (the filters
 * are in domain/stats-filter.ts). Raw data first: counts, sums and percentiles; ratios are for clients.
 */
import type { StatsFilter } from '../domain/stats-filter.js';
import type { UsageDimension, UsageFilter, UsageGranularity, UsageTotals } from '../domain/usage.js';

/**
 * Exact nearest-rank percentiles over the non-null values: pN is the smallest recorded value
 * with at least N% of the values at or below it (the value at rank ceil(N/100 × count)).
 * All null when there are no values.
 */
export interface Distribution {
  readonly count: number;
  readonly avg: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** Aggregate of a set of requests. Token sums count null as nothing. */
export interface Aggregate {
  readonly requests: number;
  readonly successful: number;
  readonly errors: number;
  readonly streamed: number;
  /** Requests whose usage is known (usage_source ≠ 'none'). */
  readonly requests_with_usage: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly total_tokens: number;
  readonly cached_input_tokens: number;
  readonly reasoning_tokens: number;
  /** Sum of cost_usd over priced requests (0 when none). */
  readonly cost_usd: number;
  /** Requests with a cost (their model has a price). */
  readonly priced_requests: number;
  readonly duration_ms: Distribution;
  readonly ttft_ms: Distribution;
  readonly tokens_per_second: Distribution;
}

/** Dimensions the stats API groups by. */
/** `streamed` groups are keyed 'true' and 'false'. */
export type GroupDimension = 'model' | 'api_key_id' | 'user' | 'endpoint' | 'streamed';

export interface Group {
  /** The group's value; null for requests without one (no model, no key, no user). */
  readonly key: string | null;
  readonly aggregate: Aggregate;
}

export interface TimeBucket {
  /** Epoch ms of the bucket's start (inclusive); it ends at start + bucketMs (exclusive). */
  readonly start: number;
  readonly aggregate: Aggregate;
}

/** Figures the OpenAI LLM metrics proxy's `/metrics` JSON needs for one side (streamed or not). */
export interface CompletionSide {
  readonly total: number;
  readonly successful: number;
  readonly failed: number;
  readonly tokens_reported: number;
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly avg_tokens_per_second: number | null;
  readonly error_types: Readonly<Record<string, number>>;
  readonly avg_duration_ms: number | null;
  readonly avg_ttft_ms: number | null;
  readonly avg_ttlt_ms: number | null;
  /** Average of (time to last token − time to first token), the generation time. */
  readonly avg_generation_ms: number | null;
}

export interface CompletionOverview {
  readonly streamed: CompletionSide;
  readonly non_streamed: CompletionSide;
  readonly model_distribution: Readonly<Record<string, number>>;
  readonly origin_distribution: Readonly<Record<string, number>>;
}

/**
 * The synchronous queries of the in-memory index (analytics-index.ts), which MemoryAnalytics
 * serves through the async `Analytics` interface.
 */
export interface IndexQueries {
  aggregate(filter: StatsFilter): Aggregate;
  groupBy(dimension: GroupDimension, filter: StatsFilter): Group[];
  timeseries(filter: StatsFilter & { start: number; end: number }, bucketMs: number): TimeBucket[];
  completionOverview(filter: StatsFilter): CompletionOverview;
  timeSpan(filter: StatsFilter): { first: number; last: number } | null;
}

/** `/stats/usage`: exact sums per period (and per group), over `[start, end)`. */
export interface UsageQuery {
  /** Epoch ms, inclusive; null = from the first day ever recorded. */
  readonly start: number | null;
  /** Epoch ms, exclusive. */
  readonly end: number;
  readonly granularity: UsageGranularity;
  readonly groupBy: UsageDimension | null;
  readonly filter: UsageFilter;
}

export interface UsageRow {
  /** Epoch ms of the period's start (the first period may start before the query's start). */
  readonly period: number;
  /** The group's value when grouped (null for requests without one); undefined when not grouped. */
  readonly key?: string | null;
  readonly usage: UsageTotals;
}

export interface UsageReport {
  /** The range actually summed: `start` resolved when the query had none. */
  readonly start: number;
  readonly end: number;
  /** Non-empty (period, group) pairs only: by period, then most requests first, ties by key (null last). */
  readonly rows: UsageRow[];
  readonly totals: UsageTotals;
  /**
   * True when part of the range could not be summed exactly: it lies before `usageRetainedFrom`,
   * or before `retainedFrom()` and is not a whole UTC day (whole days come from the daily rollups,
   * which outlive the raw rows).
   */
  readonly partial: boolean;
  /** Days before this (epoch ms) had their daily rollups deleted (USAGE_RETENTION_DAYS); null when none were. */
  readonly usageRetainedFrom: number | null;
}

/**
 * The query side the stats API reads: every engine (in memory over SQLite, SQL on PostgreSQL)
 * passes test/contract/analytics-contract.ts. Answers cover only requests with
 * `start_time >= retainedFrom()`, except `usage`, which reads the daily rollups for whole days.
 */
export interface Analytics {
  aggregate(filter: StatsFilter): Promise<Aggregate>;
  /** Groups ordered by requests, most first; ties by key ascending, null last. */
  groupBy(dimension: GroupDimension, filter: StatsFilter): Promise<Group[]>;
  /** Fixed buckets from `start` (aligned down to bucketMs) to `end`, empty ones included. */
  timeseries(filter: StatsFilter & { start: number; end: number }, bucketMs: number): Promise<TimeBucket[]>;
  /** Completion endpoints only (chat/completions, completions, responses, messages). */
  completionOverview(filter: StatsFilter): Promise<CompletionOverview>;
  /** Start times (epoch ms) of the first and last matching request; null when none match. */
  timeSpan(filter: StatsFilter): Promise<{ first: number; last: number } | null>;
  usage(query: UsageQuery): Promise<UsageReport>;
  /**
   * Epoch ms before which request rows were deleted by retention (answers cannot include them);
   * null when nothing was ever deleted.
   */
  retainedFrom(): Promise<number | null>;
}
