/**
 * Exact usage history: what people budget and bill on. Daily rollups keep these sums per UTC day
 * and per combination of the usage dimensions below, for longer than the raw request rows.
 */
import type { StatsFilter } from './stats-filter.js';

/** Exact sums over a set of requests. Token sums count null as nothing; `cost_usd` sums priced requests. */
export interface UsageTotals {
  readonly requests: number;
  readonly errors: number;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly total_tokens: number;
  readonly cached_input_tokens: number;
  readonly reasoning_tokens: number;
  readonly cost_usd: number;
  /** Sum of duration_ms. */
  readonly duration_ms: number;
}

/** The dimensions a daily rollup is keyed by (besides the UTC day, the status and the streamed flag). */
export type UsageDimension = 'model' | 'api_key_id' | 'user' | 'endpoint';
export const USAGE_DIMENSIONS: readonly UsageDimension[] = ['model', 'api_key_id', 'user', 'endpoint'];

/** Periods `/stats/usage` sums by: UTC days, ISO weeks (Monday 00:00 UTC) and calendar months (UTC). */
export type UsageGranularity = 'day' | 'week' | 'month';
export const USAGE_GRANULARITIES: readonly UsageGranularity[] = ['day', 'week', 'month'];

/** The stats filters that exist on the rollup: everything but time (given separately) and tags. */
export type UsageFilter = Omit<StatsFilter, 'start' | 'end' | 'tags'>;

export const DAY_MS = 86_400_000;

export const ZERO_USAGE: UsageTotals = Object.freeze({
  requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0,
  cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, duration_ms: 0,
});

/** Field-wise sum. */
export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
    reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
    cost_usd: a.cost_usd + b.cost_usd,
    duration_ms: a.duration_ms + b.duration_ms,
  };
}

/** Start (epoch ms) of the UTC day holding `t`. */
export function utcDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Start of the period of `granularity` holding `t` (UTC; weeks start on Monday). */
export function periodStart(t: number, granularity: UsageGranularity): number {
  const day = utcDay(t);
  if (granularity === 'day') return day;
  if (granularity === 'week') {
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY_MS;
  }
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Start of the period after the one starting at `start`. */
export function nextPeriod(start: number, granularity: UsageGranularity): number {
  if (granularity === 'day') return start + DAY_MS;
  if (granularity === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
