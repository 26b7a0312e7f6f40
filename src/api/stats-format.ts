/** Analytics aggregates → `/stats/summary` and `/stats/by-*` response objects. */
import type { Aggregate, Distribution, GroupDimension } from '../analytics/types.js';
import type { DistributionStats, GroupStats, PercentileStats, Summary } from './stats-shapes.js';

/** `span`: start times of the first and last matching request (Analytics.timeSpan). */
export function toSummary(a: Aggregate, span: { first: number; last: number } | null): Summary {
  return {
    total_requests: a.requests,
    successful_requests: a.successful,
    failed_requests: a.errors,
    total_input_tokens: a.input_tokens,
    total_output_tokens: a.output_tokens,
    total_tokens: a.total_tokens,
    average_input_tokens: perUsage(a.input_tokens, a),
    average_output_tokens: perUsage(a.output_tokens, a),
    total_duration_ms: totalOf(a.duration_ms),
    requests_with_usage: a.requests_with_usage,
    streamed_requests: a.streamed,
    average_duration_ms: a.duration_ms.avg,
    average_ttft_ms: a.ttft_ms.avg,
    average_tokens_per_second: a.tokens_per_second.avg,
    cached_input_tokens: a.cached_input_tokens,
    reasoning_tokens: a.reasoning_tokens,
    cost_usd: a.cost_usd,
    priced_requests: a.priced_requests,
    duration_ms: distributionStats(a.duration_ms),
    ttft_ms: distributionStats(a.ttft_ms),
    tokens_per_second: distributionStats(a.tokens_per_second),
    first_request_at: span === null ? null : new Date(span.first).toISOString(),
    last_request_at: span === null ? null : new Date(span.last).toISOString(),
  };
}

export function toGroupStats(a: Aggregate): GroupStats {
  return {
    requests: a.requests,
    successful_requests: a.successful,
    failed_requests: a.errors,
    errors: a.errors,
    input_tokens: a.input_tokens,
    output_tokens: a.output_tokens,
    total_tokens: a.total_tokens,
    cached_input_tokens: a.cached_input_tokens,
    reasoning_tokens: a.reasoning_tokens,
    avg_tokens_per_request: perUsage(a.total_tokens, a),
    requests_with_usage: a.requests_with_usage,
    cost_usd: a.cost_usd,
    priced_requests: a.priced_requests,
    avg_duration_ms: a.duration_ms.avg,
    avg_ttft_ms: a.ttft_ms.avg,
    avg_tokens_per_second: a.tokens_per_second.avg,
    duration_ms: distributionStats(a.duration_ms),
    ttft_ms: distributionStats(a.ttft_ms),
  };
}

/** The JSON field naming a group's key, per dimension (`/stats/by-key` rows carry `api_key_id`). */
export const GROUP_FIELD = {
  model: 'model',
  api_key_id: 'api_key_id',
  user: 'user',
  endpoint: 'endpoint',
  streamed: 'streamed',
} as const satisfies Record<GroupDimension, string>;

export function distributionStats(d: Distribution): DistributionStats {
  return { avg: d.avg, p50: d.p50, p95: d.p95, p99: d.p99 };
}

export function percentileStats(d: Distribution): PercentileStats {
  return { p50: d.p50, p95: d.p95, p99: d.p99 };
}

/** A token sum ÷ requests whose usage is known; 0 when none is. */
function perUsage(sum: number, a: Aggregate): number {
  return a.requests_with_usage === 0 ? 0 : sum / a.requests_with_usage;
}

/**
 * Sum of a metric's values. Aggregate carries no sum, so it is avg × count, rounded to 3
 * decimals: recorded durations have at most 3 (capture rounds them), so their exact sum does
 * too, and the rounding only removes the floating-point error of the multiplication.
 */
function totalOf(d: Distribution): number {
  if (d.avg === null || d.count === 0) return 0;
  return Math.round(d.avg * d.count * 1000) / 1000;
}
