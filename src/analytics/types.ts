/**
 * The query side of the product: filters every stats endpoint accepts and the aggregates it
 * answers with. Raw data first: counts, sums and percentiles; ratios are for clients.
 */

/** Filters shared by every stats endpoint (issue 3). All given conditions must match. */
export interface StatsFilter {
  /** Epoch ms, inclusive. */
  readonly start?: number;
  /** Epoch ms, exclusive. */
  readonly end?: number;
  readonly model?: string;
  readonly endpoint?: string;
  readonly streamed?: boolean;
  readonly status?: 'success' | 'error';
  readonly apiKeyId?: string;
  readonly user?: string;
  /** Every [key, value] pair must be among the request's tags. */
  readonly tags?: ReadonlyArray<readonly [key: string, value: string]>;
}

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

/** The in-memory analytics engine the aggregate endpoints read (see docs/analytics.md). */
export interface Analytics {
  aggregate(filter: StatsFilter): Aggregate;
  /** Groups ordered by requests, most first; ties by key ascending, null last. */
  groupBy(dimension: GroupDimension, filter: StatsFilter): Group[];
  /** Fixed buckets from `start` (aligned down to bucketMs) to `end`, empty ones included. */
  timeseries(filter: StatsFilter & { start: number; end: number }, bucketMs: number): TimeBucket[];
  /** Completion endpoints only (chat/completions, completions, responses, messages). */
  completionOverview(filter: StatsFilter): CompletionOverview;
  /** Start times (epoch ms) of the first and last matching request; null when none match. */
  timeSpan(filter: StatsFilter): { first: number; last: number } | null;
}
