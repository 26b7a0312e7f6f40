/**
 * The brute-force reference model of the analytics queries: plain loops over records (filter an
 * array, sort for percentiles), and a seeded random record generator with nulls and duplicates.
 * The index tests and the Analytics contract suite (test/contract/analytics-contract.ts) check
 * every engine against it.
 */
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import type { Aggregate, CompletionOverview, CompletionSide, Distribution, Group, GroupDimension, TimeBucket } from '../../src/analytics/types.js';
import { COMPLETION_ENDPOINTS } from '../../src/domain/endpoints.js';
import type { ErrorType, RequestRecord } from '../../src/domain/request-record.js';
import {
  DAY_MS, periodStart, utcDay, ZERO_USAGE, type UsageDimension, type UsageFilter, type UsageGranularity, type UsageTotals,
} from '../../src/domain/usage.js';
import { prng } from './prng.js';

export const T0 = Date.UTC(2025, 0, 1);
export const HOUR = 3_600_000;
export const ENDPOINTS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses', '/v1/models'];
export const ERRORS: ErrorType[] = ['upstream_status', 'upstream_timeout', 'client_aborted'];

export function randomRecords(count: number, seed: number): RequestRecord[] {
  const rand = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const maybe = <T>(p: number, value: () => T): T | null => (rand() < p ? value() : null);
  const records: RequestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const streamed = rand() < 0.6;
    const error = rand() < 0.1;
    const usage = rand() < 0.8;
    const tags: Record<string, string> = {};
    if (rand() < 0.7) tags.team = pick(['red', 'blue', 'green']);
    if (rand() < 0.4) tags.env = pick(['prod', 'dev']);
    records.push({
      // Roughly, not strictly, in time order; some exactly on hour boundaries.
      start_time: rand() < 0.05 ? T0 + Math.floor(rand() * 48) * HOUR : T0 + Math.floor((i / count) * 48 * HOUR + (rand() - 0.5) * 600_000),
      method: 'POST',
      endpoint: pick(ENDPOINTS),
      model: maybe(0.9, () => pick(['m-a', 'm-b', 'm-c', 'm-d'])),
      response_model: null,
      status_code: error ? 500 : 200,
      is_error: error,
      error_type: error ? maybe(0.9, () => pick(ERRORS)) : null,
      error_message: null,
      was_streamed: streamed,
      input_tokens: usage ? Math.floor(rand() * 300) : null,
      output_tokens: usage ? Math.floor(rand() * 100) : null,
      total_tokens: usage ? maybe(0.9, () => Math.floor(rand() * 400)) : null,
      cached_input_tokens: usage ? maybe(0.3, () => Math.floor(rand() * 50)) : null,
      reasoning_tokens: usage ? maybe(0.2, () => Math.floor(rand() * 20)) : null,
      usage_source: usage ? 'reported' : 'none',
      ttft_ms: streamed ? maybe(0.8, () => Math.floor(rand() * 40) * 5) : null,
      ttlt_ms: streamed ? maybe(0.8, () => 200 + Math.floor(rand() * 50) * 10) : null,
      // Few distinct values: many duplicates around every rank.
      duration_ms: rand() < 0.02 ? 0 : Math.round(Math.exp(3 + 3 * rand())) / 2,
      tokens_per_second: maybe(0.7, () => Math.round(rand() * 2000) / 10),
      finish_reason: null,
      message_count: null,
      origin: maybe(0.5, () => pick(['https://a.example', 'https://b.example'])),
      api_key_id: maybe(0.85, () => pick(['key_1', 'key_2', 'key_3'])),
      user: maybe(0.8, () => `u${Math.floor(rand() * 12)}`),
      tags,
      cost_usd: maybe(0.6, () => Math.round(rand() * 1e6) / 1e8),
    });
  }
  return records;
}

// ---- reference model ----

export function matches(r: RequestRecord, f: StatsFilter): boolean {
  if (f.start !== undefined && !(r.start_time >= f.start)) return false;
  if (f.end !== undefined && !(r.start_time < f.end)) return false;
  if (f.model !== undefined && r.model !== f.model) return false;
  if (f.endpoint !== undefined && r.endpoint !== f.endpoint) return false;
  if (f.streamed !== undefined && r.was_streamed !== f.streamed) return false;
  if (f.status !== undefined && r.is_error !== (f.status === 'error')) return false;
  if (f.apiKeyId !== undefined && r.api_key_id !== f.apiKeyId) return false;
  if (f.user !== undefined && r.user !== f.user) return false;
  return (f.tags ?? []).every(([k, v]) => Object.hasOwn(r.tags, k) && r.tags[k] === v);
}

export function dist(values: readonly (number | null)[]): Distribution {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return { count: 0, avg: null, p50: null, p95: null, p99: null };
  const sorted = [...present].sort((a, b) => a - b);
  const at = (n: number) => sorted[Math.floor((n * sorted.length + 99) / 100) - 1]!;
  let sum = 0;
  for (const v of present) sum += v;
  return { count: present.length, avg: sum / present.length, p50: at(50), p95: at(95), p99: at(99) };
}

export function sum(values: readonly (number | null)[]): number {
  let s = 0;
  for (const v of values) if (v !== null) s += v;
  return s;
}

export function refAggregate(rs: readonly RequestRecord[]): Aggregate {
  const errors = rs.filter((r) => r.is_error).length;
  return {
    requests: rs.length,
    successful: rs.length - errors,
    errors,
    streamed: rs.filter((r) => r.was_streamed).length,
    requests_with_usage: rs.filter((r) => r.usage_source !== 'none').length,
    input_tokens: sum(rs.map((r) => r.input_tokens)),
    output_tokens: sum(rs.map((r) => r.output_tokens)),
    total_tokens: sum(rs.map((r) => r.total_tokens)),
    cached_input_tokens: sum(rs.map((r) => r.cached_input_tokens)),
    reasoning_tokens: sum(rs.map((r) => r.reasoning_tokens)),
    cost_usd: sum(rs.map((r) => r.cost_usd)),
    priced_requests: rs.filter((r) => r.cost_usd !== null).length,
    duration_ms: dist(rs.map((r) => r.duration_ms)),
    ttft_ms: dist(rs.map((r) => r.ttft_ms)),
    tokens_per_second: dist(rs.map((r) => r.tokens_per_second)),
  };
}

export const DIMENSION: Record<GroupDimension, (r: RequestRecord) => string | null> = {
  model: (r) => r.model, api_key_id: (r) => r.api_key_id, user: (r) => r.user, endpoint: (r) => r.endpoint,
  streamed: (r) => String(r.was_streamed),
};

export function refGroupBy(rs: readonly RequestRecord[], dimension: GroupDimension): Group[] {
  const groups = new Map<string | null, RequestRecord[]>();
  for (const r of rs) {
    const key = DIMENSION[dimension](r);
    const members = groups.get(key);
    if (members) members.push(r);
    else groups.set(key, [r]);
  }
  return [...groups]
    .map(([key, members]) => ({ key, aggregate: refAggregate(members) }))
    .sort((a, b) => b.aggregate.requests - a.aggregate.requests || (a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
}

export function refTimeSpan(rs: readonly RequestRecord[]): { first: number; last: number } | null {
  if (rs.length === 0) return null;
  const times = rs.map((r) => r.start_time);
  return { first: times.reduce((a, b) => Math.min(a, b)), last: times.reduce((a, b) => Math.max(a, b)) };
}

export function refTimeseries(rs: readonly RequestRecord[], start: number, end: number, bucketMs: number): TimeBucket[] {
  const first = Math.floor(start / bucketMs) * bucketMs;
  const members: RequestRecord[][] = [];
  for (let b = first; b < end; b += bucketMs) members.push([]);
  for (const r of rs) {
    if (r.start_time >= first && r.start_time < first + members.length * bucketMs) members[Math.floor((r.start_time - first) / bucketMs)]!.push(r);
  }
  return members.map((m, i) => ({ start: first + i * bucketMs, aggregate: refAggregate(m) }));
}

export function counts(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

export function mean(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : sum(present) / present.length;
}

export function refSide(rs: readonly RequestRecord[]): CompletionSide {
  const failed = rs.filter((r) => r.is_error);
  return {
    total: rs.length,
    successful: rs.length - failed.length,
    failed: failed.length,
    tokens_reported: rs.filter((r) => r.usage_source !== 'none').length,
    prompt_tokens: sum(rs.map((r) => r.input_tokens)),
    completion_tokens: sum(rs.map((r) => r.output_tokens)),
    total_tokens: sum(rs.map((r) => r.total_tokens)),
    avg_tokens_per_second: mean(rs.map((r) => r.tokens_per_second)),
    error_types: counts(failed.map((r) => r.error_type ?? 'unknown')),
    avg_duration_ms: mean(rs.map((r) => r.duration_ms)),
    avg_ttft_ms: mean(rs.map((r) => r.ttft_ms)),
    avg_ttlt_ms: mean(rs.map((r) => r.ttlt_ms)),
    avg_generation_ms: mean(rs.map((r) => (r.ttft_ms !== null && r.ttlt_ms !== null ? r.ttlt_ms - r.ttft_ms : null))),
  };
}

export function refCompletion(rs: readonly RequestRecord[]): CompletionOverview {
  const completions = rs.filter((r) => COMPLETION_ENDPOINTS.includes(r.endpoint));
  return {
    streamed: refSide(completions.filter((r) => r.was_streamed)),
    non_streamed: refSide(completions.filter((r) => !r.was_streamed)),
    model_distribution: counts(completions.map((r) => r.model ?? 'unknown')),
    origin_distribution: counts(completions.map((r) => r.origin ?? 'unknown')),
  };
}

/** Records sorted by key, so that key order does not matter in comparisons. */
export function sortKeys<T extends CompletionOverview>(o: T): unknown {
  return JSON.parse(JSON.stringify(o, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
}

// ---- usage: daily rollups and /stats/usage ----

/**
 * `randomRecords` spread over `days` UTC days from `from` (in no particular order): most at random
 * times, some exactly at a UTC midnight and some at 23:59:59.999, so that day edges are exercised.
 */
export function spreadRecords(count: number, seed: number, from: number, days: number): RequestRecord[] {
  const rand = prng(seed ^ 0x5eed);
  return randomRecords(count, seed).map((r) => {
    const day = from + Math.floor(rand() * days) * DAY_MS;
    const u = rand();
    const start_time = u < 0.04 ? day : u < 0.07 ? day + DAY_MS - 1 : day + Math.floor(rand() * DAY_MS);
    return { ...r, start_time };
  });
}

/** The usage sums of a set of records: null tokens and costs count as nothing. */
export function refUsageTotals(rs: readonly RequestRecord[]): UsageTotals {
  return {
    requests: rs.length,
    errors: rs.filter((r) => r.is_error).length,
    input_tokens: sum(rs.map((r) => r.input_tokens)),
    output_tokens: sum(rs.map((r) => r.output_tokens)),
    total_tokens: sum(rs.map((r) => r.total_tokens)),
    cached_input_tokens: sum(rs.map((r) => r.cached_input_tokens)),
    reasoning_tokens: sum(rs.map((r) => r.reasoning_tokens)),
    cost_usd: sum(rs.map((r) => r.cost_usd)),
    duration_ms: sum(rs.map((r) => r.duration_ms)),
  };
}

export const USAGE_DIMENSION: Record<UsageDimension, (r: RequestRecord) => string | null> = {
  model: (r) => r.model, api_key_id: (r) => r.api_key_id, user: (r) => r.user, endpoint: (r) => r.endpoint,
};

/** Usage sums of the records grouped by (period, key); key null when not grouped. One plain pass. */
function groupUsage(
  rs: readonly RequestRecord[],
  period: (r: RequestRecord) => number,
  groupBy: UsageDimension | null,
): Array<{ period: number; key: string | null; usage: UsageTotals }> {
  type Sums = { -readonly [K in keyof UsageTotals]: number };
  const groups = new Map<string, { period: number; key: string | null; usage: Sums }>();
  for (const r of rs) {
    const p = period(r);
    const key = groupBy === null ? null : USAGE_DIMENSION[groupBy](r);
    const id = key === null ? `${p}` : `${p}:${key}`;
    let g = groups.get(id);
    if (g === undefined) {
      g = { period: p, key, usage: { ...ZERO_USAGE } };
      groups.set(id, g);
    }
    const u = g.usage;
    u.requests += 1;
    if (r.is_error) u.errors += 1;
    u.input_tokens += r.input_tokens ?? 0;
    u.output_tokens += r.output_tokens ?? 0;
    u.total_tokens += r.total_tokens ?? 0;
    u.cached_input_tokens += r.cached_input_tokens ?? 0;
    u.reasoning_tokens += r.reasoning_tokens ?? 0;
    u.cost_usd += r.cost_usd ?? 0;
    u.duration_ms += r.duration_ms;
  }
  return [...groups.values()];
}

/** `Store.dailyUsage`: days in [fromDay, toDay) of the rollups (all `records` ever written, minus days before `usageBefore`), by day then key (null last). */
export function refDailyUsage(
  records: readonly RequestRecord[],
  query: { fromDay: number; toDay: number; filter: UsageFilter; groupBy: UsageDimension | null },
  usageBefore: number | null = null,
): Array<{ day: number; key?: string | null; usage: UsageTotals }> {
  const rs = records.filter((r) => {
    const day = utcDay(r.start_time);
    return day >= query.fromDay && day < query.toDay && (usageBefore === null || day >= usageBefore) && matches(r, query.filter);
  });
  return groupUsage(rs, (r) => utcDay(r.start_time), query.groupBy)
    .sort((a, b) => a.period - b.period || compareKeys(a.key, b.key))
    .map((g) => (query.groupBy === null ? { day: g.period, usage: g.usage } : { day: g.period, key: g.key, usage: g.usage }));
}

function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export interface RefUsageQuery {
  readonly start: number | null;
  readonly end: number;
  readonly granularity: UsageGranularity;
  readonly groupBy: UsageDimension | null;
  readonly filter: UsageFilter;
}

/**
 * `Analytics.usage` the slow way. `records` are all rows ever written (the rollups hold them all,
 * minus the days before `usageRetainedFrom`); rows with start_time < `retainedFrom` were deleted.
 * Whole UTC days of the range come from the rollups, the partial days at its edges from the rows;
 * `partial` when the range starts before `usageRetainedFrom` or an edge fraction lies before
 * `retainedFrom`.
 */
export function refUsage(
  records: readonly RequestRecord[],
  query: RefUsageQuery,
  retention: { retainedFrom?: number | null; usageRetainedFrom?: number | null } = {},
): {
  start: number;
  end: number;
  rows: Array<{ period: number; key?: string | null; usage: UsageTotals }>;
  totals: UsageTotals;
  partial: boolean;
  usageRetainedFrom: number | null;
} {
  const kept = retention.retainedFrom ?? null;
  const usageKept = retention.usageRetainedFrom ?? null;
  const rolledUp = records.filter((r) => usageKept === null || utcDay(r.start_time) >= usageKept);
  const firstDay = rolledUp.length === 0 ? null : utcDay(rolledUp.reduce((m, r) => Math.min(m, r.start_time), Infinity));
  const start = query.start ?? firstDay ?? query.end;
  const end = query.end;
  if (!(start < end)) return { start, end: Math.max(start, end), rows: [], totals: ZERO_USAGE, partial: false, usageRetainedFrom: usageKept };
  const firstWhole = Math.ceil(start / DAY_MS) * DAY_MS;
  const endWhole = Math.floor(end / DAY_MS) * DAY_MS;
  const isWholeDay = (t: number): boolean => {
    const day = utcDay(t);
    return day >= firstWhole && day + DAY_MS <= endWhole;
  };
  const counted = records.filter((r) => {
    const t = r.start_time;
    if (!(t >= start && t < end) || !matches(r, query.filter)) return false;
    if (isWholeDay(t)) return usageKept === null || utcDay(t) >= usageKept;
    return kept === null || t >= kept;
  });
  // The edge fractions: [start, first whole day) and [end of the last whole day, end), or the whole range.
  const edges: Array<[number, number]> = firstWhole >= endWhole ? [[start, end]] : [[start, firstWhole], [endWhole, end]];
  const partial = (usageKept !== null && start < usageKept) || (kept !== null && edges.some(([a, b]) => a < b && a < kept));
  const rows = groupUsage(counted, (r) => periodStart(r.start_time, query.granularity), query.groupBy)
    .sort((a, b) => a.period - b.period || b.usage.requests - a.usage.requests || compareKeys(a.key, b.key))
    .map((g) => (query.groupBy === null ? { period: g.period, usage: g.usage } : { period: g.period, key: g.key, usage: g.usage }));
  return { start, end, rows, totals: refUsageTotals(counted), partial, usageRetainedFrom: usageKept };
}
