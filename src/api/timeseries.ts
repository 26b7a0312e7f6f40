/**
 * `GET /stats/timeseries`: bucket sizes, the range and bucket parameters, and the response body.
 */
import type { StatsFilter } from '../domain/stats-filter.js';
import type { Analytics, TimeBucket } from '../analytics/types.js';
import { InvalidParamError, single, type QueryValues } from './param-error.js';
import { percentileStats } from './stats-format.js';
import type { Timeseries, TimeseriesBucket } from './stats-shapes.js';

export const BUCKETS = [
  ['1m', 60_000],
  ['5m', 5 * 60_000],
  ['15m', 15 * 60_000],
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['1d', 86_400_000],
] as const;

export type BucketName = (typeof BUCKETS)[number][0];

export const MAX_BUCKETS = 500;
/** `start=first`: the range starts at the oldest request matching the other filters. */
export const FIRST_REQUEST = 'first';
export const DEFAULT_RANGE_MS = 86_400_000;

/** Buckets from `start` aligned down to a multiple of bucketMs (UTC) up to `end` (exclusive). */
export function bucketCount(start: number, end: number, bucketMs: number): number {
  const alignedStart = Math.floor(start / bucketMs) * bucketMs;
  return Math.ceil((end - alignedStart) / bucketMs);
}

export interface TimeseriesRequest {
  readonly filter: StatsFilter & { readonly start: number; readonly end: number };
  readonly bucket: BucketName;
  readonly bucketMs: number;
}

/**
 * Completes a parsed filter with the timeseries defaults (end = now, start = end − 24 h) and
 * picks the bucket: the one asked for, or the smallest giving at most 500 buckets.
 */
export function timeseriesRequest(filter: StatsFilter, query: QueryValues, now: number): TimeseriesRequest {
  const end = filter.end ?? now;
  const start = filter.start ?? end - DEFAULT_RANGE_MS;
  if (end <= start) {
    throw new InvalidParamError(
      'end',
      `end must be later than start, got start=${new Date(start).toISOString()} and end=${new Date(end).toISOString()}` +
        (filter.end === undefined ? ' (end defaults to now)' : ''),
    );
  }
  const full = { ...filter, start, end };
  const raw = single(query, 'bucket');
  if (raw === undefined) {
    for (const [bucket, bucketMs] of BUCKETS) {
      if (bucketCount(start, end, bucketMs) <= MAX_BUCKETS) return { filter: full, bucket, bucketMs };
    }
    throw new InvalidParamError(
      'start',
      `the range from start to end needs more than ${MAX_BUCKETS} buckets even at bucket=1d; shorten it`,
    );
  }
  const entry = BUCKETS.find(([name]) => name === raw);
  if (entry === undefined) {
    const names = BUCKETS.map(([name]) => name).join(', ');
    throw new InvalidParamError('bucket', `bucket must be one of ${names}, got ${JSON.stringify(raw)}`);
  }
  const [bucket, bucketMs] = entry;
  const count = bucketCount(start, end, bucketMs);
  if (count > MAX_BUCKETS) {
    throw new InvalidParamError(
      'bucket',
      `bucket=${bucket} gives ${count} buckets from start to end, more than ${MAX_BUCKETS}; use a larger bucket or a shorter range`,
    );
  }
  return { filter: full, bucket, bucketMs };
}

/** The query without one parameter. */
export function withoutParam(query: QueryValues, name: string): QueryValues {
  const { [name]: _dropped, ...rest } = query;
  return rest;
}

export async function buildTimeseries(analytics: Analytics, req: TimeseriesRequest): Promise<Timeseries> {
  return {
    start: new Date(req.filter.start).toISOString(),
    end: new Date(req.filter.end).toISOString(),
    bucket: req.bucket,
    bucket_ms: req.bucketMs,
    buckets: (await analytics.timeseries(req.filter, req.bucketMs)).map(toBucket),
  };
}

function toBucket({ start, aggregate: a }: TimeBucket): TimeseriesBucket {
  return {
    start: new Date(start).toISOString(),
    requests: a.requests,
    errors: a.errors,
    streamed: a.streamed,
    input_tokens: a.input_tokens,
    output_tokens: a.output_tokens,
    cost_usd: a.cost_usd,
    duration_ms: percentileStats(a.duration_ms),
    ttft_ms: percentileStats(a.ttft_ms),
    tokens_per_second: percentileStats(a.tokens_per_second),
  };
}
