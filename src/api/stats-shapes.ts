import type { RetentionNote } from './retention-note.js';
/** Response shapes of the `/stats/*` endpoints (LM Studio proxy compatible fields first, then extras). */
import type { StoredRequest } from '../domain/request-record.js';

/** Average and nearest-rank percentiles of a metric; all null when no request has a value. */
export interface DistributionStats {
  avg: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export type PercentileStats = Omit<DistributionStats, 'avg'>;

/** `GET /stats/summary`. */
export interface Summary {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_tokens: number;
  /** Averages over requests whose usage is known only; 0 when there are none. */
  average_input_tokens: number;
  average_output_tokens: number;
  total_duration_ms: number;
  requests_with_usage: number;
  streamed_requests: number;
  average_duration_ms: number | null;
  average_ttft_ms: number | null;
  average_tokens_per_second: number | null;
  cached_input_tokens: number;
  reasoning_tokens: number;
  /** Sum over priced requests; 0 when none. */
  cost_usd: number;
  priced_requests: number;
  duration_ms: DistributionStats;
  ttft_ms: DistributionStats;
  tokens_per_second: DistributionStats;
  /** Start time (ISO-8601 UTC) of the first and of the last matching request; null when none match. */
  first_request_at: string | null;
  last_request_at: string | null;
}

/** The figures of one group of `/stats/by-model`, `/stats/by-key`, `/stats/by-user`, `/stats/by-endpoint`. */
export interface GroupStats {
  requests: number;
  successful_requests: number;
  failed_requests: number;
  /** Same as failed_requests. */
  errors: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  /** total_tokens ÷ requests whose usage is known; 0 when there are none. */
  avg_tokens_per_request: number;
  requests_with_usage: number;
  cost_usd: number;
  priced_requests: number;
  avg_duration_ms: number | null;
  avg_ttft_ms: number | null;
  avg_tokens_per_second: number | null;
  duration_ms: DistributionStats;
  ttft_ms: DistributionStats;
}

/** One entry of `GET /stats/by-model`. */
export type ModelStats = { model: string | null } & GroupStats;
export type KeyStats = { api_key_id: string | null } & GroupStats;
export type UserStats = { user: string | null } & GroupStats;
export type EndpointStats = { endpoint: string | null } & GroupStats;

/**
 * `GET /stats/by-streamed`: streamed and non-streamed requests side by side, both always present
 * (a side nothing matched has zero counts and null averages).
 */
export interface StreamSplit extends RetentionNote {
  streamed: GroupStats;
  non_streamed: GroupStats;
}

/** One bucket of `GET /stats/timeseries`. */
export interface TimeseriesBucket {
  /** ISO-8601 UTC; the bucket ends at start + bucket_ms (exclusive). */
  start: string;
  requests: number;
  errors: number;
  streamed: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  duration_ms: PercentileStats;
  ttft_ms: PercentileStats;
  tokens_per_second: PercentileStats;
}

/** `GET /stats/timeseries`. */
export interface Timeseries {
  start: string;
  end: string;
  bucket: string;
  bucket_ms: number;
  buckets: TimeseriesBucket[];
}

/** `GET /stats/recent`. */
export interface RecentPage extends RetentionNote {
  requests: StoredRequest[];
  /** Pass as `cursor` to get the next (older) page; null when there are no older rows. */
  next_cursor: string | null;
}

/** `GET /api/info`: what the dashboard needs to know about the service itself. */
export interface AdminInfo {
  /** The proxy listener's bound address, e.g. `http://0.0.0.0:8080`; null until it listens. */
  proxy_url: string | null;
  version: string;
}

/** `GET /stats/summary`, `/stats/timeseries` and the group lists say what retention deleted. */
export type SummaryAnswer = Summary & RetentionNote;
export type TimeseriesAnswer = Timeseries & RetentionNote;
export type { RetentionNote };

/** Sums of `GET /stats/usage`: exact, from the daily rollups and the retained rows. */
export interface UsageSums {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  cached_input_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  duration_ms: number;
}

/** One row of `GET /stats/usage`: a period (and a group, named after `group_by`, when grouped). */
export type UsageEntry = { period: string } & Partial<Record<'model' | 'api_key_id' | 'user' | 'endpoint', string | null>> & UsageSums;

export interface UsageAnswer extends RetentionNote {
  start: string;
  end: string;
  granularity: 'day' | 'week' | 'month';
  group_by: 'model' | 'api_key_id' | 'user' | 'endpoint' | null;
  /** Days before this had their daily rollups deleted (USAGE_RETENTION_DAYS); null when none were. */
  usage_retained_from: string | null;
  usage: UsageEntry[];
  totals: UsageSums;
}
