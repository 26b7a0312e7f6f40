/**
 * The `/metrics` JSON body of the OpenAI LLM metrics proxy, built from the analytics' completion
 * overview. Kept apart from the route so a Prometheus rendering can share the path later.
 *
 * As in that proxy, `avg_response_time_ms` is 0 when there are no requests, and the other
 * averages are null when nothing was measured.
 */
import type { CompletionOverview, CompletionSide } from '../analytics/types.js';

export interface MetricsTokens {
  reported_count: number;
  total: number;
  prompt_total: number;
  completion_total: number;
  avg_tokens_per_second: number | null;
}

export interface MetricsSide {
  total: number;
  successful: number;
  failed: number;
  tokens: MetricsTokens;
  error_types: Record<string, number>;
  avg_response_time_ms: number;
}

export interface MetricsStreamed extends MetricsSide {
  avg_time_to_first_token_ms: number | null;
  avg_time_to_last_token_ms: number | null;
  avg_completion_duration_ms: number | null;
}

export interface MetricsJson {
  /** When the body was built, ISO-8601 UTC. */
  timestamp: string;
  requests: {
    total: { total: number; successful: number; failed: number; avg_response_time_ms: number };
    streamed: MetricsStreamed;
    non_streamed: MetricsSide;
  };
  model_distribution: Record<string, number>;
  origin_distribution: Record<string, number>;
}

export function buildMetricsJson(overview: CompletionOverview, now: number): MetricsJson {
  const s = overview.streamed;
  const n = overview.non_streamed;
  return {
    timestamp: new Date(now).toISOString(),
    requests: {
      total: {
        total: s.total + n.total,
        successful: s.successful + n.successful,
        failed: s.failed + n.failed,
        avg_response_time_ms: combinedAvgDuration(s, n),
      },
      streamed: {
        ...side(s),
        avg_time_to_first_token_ms: s.avg_ttft_ms,
        avg_time_to_last_token_ms: s.avg_ttlt_ms,
        avg_completion_duration_ms: s.avg_generation_ms,
      },
      non_streamed: side(n),
    },
    model_distribution: { ...overview.model_distribution },
    origin_distribution: { ...overview.origin_distribution },
  };
}

function side(x: CompletionSide): MetricsSide {
  return {
    total: x.total,
    successful: x.successful,
    failed: x.failed,
    tokens: {
      reported_count: x.tokens_reported,
      total: x.total_tokens,
      prompt_total: x.prompt_tokens,
      completion_total: x.completion_tokens,
      avg_tokens_per_second: x.avg_tokens_per_second,
    },
    error_types: { ...x.error_types },
    avg_response_time_ms: x.avg_duration_ms ?? 0,
  };
}

/** Average duration over both sides (every request has a duration, so each side weighs its total). */
function combinedAvgDuration(a: CompletionSide, b: CompletionSide): number {
  let count = 0;
  let sum = 0;
  for (const x of [a, b]) {
    if (x.avg_duration_ms === null || x.total === 0) continue;
    count += x.total;
    sum += x.avg_duration_ms * x.total;
  }
  return count === 0 ? 0 : sum / count;
}
