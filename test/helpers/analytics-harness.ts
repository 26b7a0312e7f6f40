/**
 * Shared harness for the analytics API tests: a real admin HTTP server over a real SQLite store
 * in a temp dir and a real AnalyticsIndex fed by `store.scan` from the last id; plus a reference
 * model (plain loops over the seeded records) that the responses are checked against.
 * Imported by the other analytics-*.test.ts files; its own tests check the reference model.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import { MemoryAnalytics } from '../../src/analytics/memory-analytics.js';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import { createAdminApp } from '../../src/api/admin-app.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { prng } from './prng.js';

export { prng };

export interface Row {
  readonly id: number;
  readonly record: RequestRecord;
}

export interface Api {
  readonly baseUrl: string;
  readonly store: SqliteStore;
  readonly index: AnalyticsIndex;
  /** Seeded rows, ids 1..n in order. */
  readonly rows: Row[];
  readonly logLines: Array<Record<string, unknown>>;
  /** GET a path; asserts a JSON content type. */
  get(pathAndQuery: string): Promise<{ status: number; body: any }>;
  /** Records more rows (ids continue); returns them with their ids. */
  add(records: readonly RequestRecord[]): Promise<Row[]>;
  close(): Promise<void>;
}

export async function startApi(records: readonly RequestRecord[], options: { now?: () => number } = {}): Promise<Api> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-analytics-api-'));
  const store = openSqliteStore(path.join(dir, 'metrics.db'));
  const index = new AnalyticsIndex();
  const rows: Row[] = [];
  const add = async (batch: readonly RequestRecord[]): Promise<Row[]> => {
    const added: Row[] = [];
    for (let i = 0; i < batch.length; i += 100) {
      const part = batch.slice(i, i + 100);
      await store.recordBatch(part);
      for (const record of part) added.push({ id: rows.length + added.length + 1, record });
    }
    rows.push(...added);
    return added;
  };
  await add(records);

  // Single-flight pull of everything after the last id seen, as the service does.
  let lastId = 0;
  let running: Promise<void> | null = null;
  const pull = async (): Promise<void> => {
    for (;;) {
      const page = await store.scan(lastId, 64);
      if (page.length === 0) return;
      index.add(page.map((r) => r.record));
      lastId = page[page.length - 1]!.id;
    }
  };
  const refresh = (): Promise<void> => (running ??= pull().finally(() => (running = null)));

  const logLines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  const app = createAdminApp({ store, analytics: new MemoryAnalytics(index, store), refresh, logger, ...(options.now ? { now: options.now } : {}) });
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl, store, index, rows, logLines, add,
    async get(pathAndQuery) {
      const res = await fetch(`${baseUrl}${pathAndQuery}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `content-type of ${pathAndQuery}`);
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The 400 body for an invalid parameter. */
export function paramError(param: string, message: string): { status: number; body: unknown } {
  return { status: 400, body: { error: { message, type: 'invalid_request_error', code: 'invalid_parameter', param } } };
}

// ---------------------------------------------------------------------------------------------
// Reference model

/** Nearest-rank percentile: the value at rank ceil(p/100 × n) of the ascending values. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1]!;
}

export function refDistribution(values: readonly number[]): { avg: number | null; p50: number | null; p95: number | null; p99: number | null } {
  let sum = 0;
  for (const v of values) sum += v;
  return {
    avg: values.length === 0 ? null : sum / values.length,
    p50: nearestRank(values, 50),
    p95: nearestRank(values, 95),
    p99: nearestRank(values, 99),
  };
}

export function matches(r: RequestRecord, f: StatsFilter): boolean {
  if (f.start !== undefined && r.start_time < f.start) return false;
  if (f.end !== undefined && r.start_time >= f.end) return false;
  if (f.model !== undefined && r.model !== f.model) return false;
  if (f.endpoint !== undefined && r.endpoint !== f.endpoint) return false;
  if (f.streamed !== undefined && r.was_streamed !== f.streamed) return false;
  if (f.status !== undefined && r.is_error !== (f.status === 'error')) return false;
  if (f.apiKeyId !== undefined && r.api_key_id !== f.apiKeyId) return false;
  if (f.user !== undefined && r.user !== f.user) return false;
  for (const [k, v] of f.tags ?? []) if (r.tags[k] !== v) return false;
  return true;
}

const nonNull = (values: ReadonlyArray<number | null>): number[] => values.filter((v): v is number => v !== null);
const sum = (values: ReadonlyArray<number | null>): number => nonNull(values).reduce((a, b) => a + b, 0);

/** Figures shared by the summary and group rows, computed the slow way. */
function refFigures(rs: readonly RequestRecord[]) {
  const errors = rs.filter((r) => r.is_error).length;
  const withUsage = rs.filter((r) => r.usage_source !== 'none').length;
  return {
    requests: rs.length,
    errors,
    withUsage,
    input: sum(rs.map((r) => r.input_tokens)),
    output: sum(rs.map((r) => r.output_tokens)),
    total: sum(rs.map((r) => r.total_tokens)),
    cached: sum(rs.map((r) => r.cached_input_tokens)),
    reasoning: sum(rs.map((r) => r.reasoning_tokens)),
    cost: sum(rs.map((r) => r.cost_usd)),
    priced: rs.filter((r) => r.cost_usd !== null).length,
    duration: refDistribution(rs.map((r) => r.duration_ms)),
    ttft: refDistribution(nonNull(rs.map((r) => r.ttft_ms))),
    tps: refDistribution(nonNull(rs.map((r) => r.tokens_per_second))),
    durationSum: sum(rs.map((r) => r.duration_ms)),
  };
}

export function refSummary(rows: readonly Row[], f: StatsFilter = {}) {
  const rs = rows.map((r) => r.record).filter((r) => matches(r, f));
  const x = refFigures(rs);
  return {
    total_requests: x.requests,
    successful_requests: x.requests - x.errors,
    failed_requests: x.errors,
    total_input_tokens: x.input,
    total_output_tokens: x.output,
    total_tokens: x.total,
    average_input_tokens: x.withUsage === 0 ? 0 : x.input / x.withUsage,
    average_output_tokens: x.withUsage === 0 ? 0 : x.output / x.withUsage,
    total_duration_ms: x.durationSum,
    requests_with_usage: x.withUsage,
    streamed_requests: rs.filter((r) => r.was_streamed).length,
    average_duration_ms: x.duration.avg,
    average_ttft_ms: x.ttft.avg,
    average_tokens_per_second: x.tps.avg,
    cached_input_tokens: x.cached,
    reasoning_tokens: x.reasoning,
    cost_usd: x.cost,
    priced_requests: x.priced,
    duration_ms: x.duration,
    ttft_ms: x.ttft,
    tokens_per_second: x.tps,
    first_request_at: rs.length === 0 ? null : new Date(Math.min(...rs.map((r) => r.start_time))).toISOString(),
    last_request_at: rs.length === 0 ? null : new Date(Math.max(...rs.map((r) => r.start_time))).toISOString(),
    ...NOT_PARTIAL,
  };
}

/** What every stats answer says when retention has deleted nothing. */
export const NOT_PARTIAL = { partial: false, retained_from: null } as const;

export type Dimension = 'model' | 'api_key_id' | 'user' | 'endpoint';

/** `/stats/by-*` rows: most requests first, ties by key ascending, null last. */
export function refGroups(rows: readonly Row[], dimension: Dimension, f: StatsFilter = {}) {
  const groups = new Map<string | null, RequestRecord[]>();
  for (const { record } of rows) {
    if (!matches(record, f)) continue;
    const key = record[dimension];
    const members = groups.get(key);
    if (members) members.push(record);
    else groups.set(key, [record]);
  }
  return [...groups]
    .sort(([ka, a], [kb, b]) => b.length - a.length || (ka === null ? 1 : kb === null ? -1 : ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([key, rs]) => ({ [dimension]: key, ...refGroupStats(rs) }));
}

/** `/stats/by-streamed`: the figures of the matching streamed and non-streamed requests. */
export function refStreamSplit(rows: readonly Row[], f: StatsFilter = {}) {
  const side = (streamed: boolean) =>
    refGroupStats(rows.map((r) => r.record).filter((r) => matches(r, f) && r.was_streamed === streamed));
  return { streamed: side(true), non_streamed: side(false), ...NOT_PARTIAL };
}

/** The figures of one `/stats/by-*` group. */
function refGroupStats(rs: readonly RequestRecord[]) {
  const x = refFigures(rs);
  return {
    requests: x.requests,
    successful_requests: x.requests - x.errors,
    failed_requests: x.errors,
    errors: x.errors,
    input_tokens: x.input,
    output_tokens: x.output,
    total_tokens: x.total,
    cached_input_tokens: x.cached,
    reasoning_tokens: x.reasoning,
    avg_tokens_per_request: x.withUsage === 0 ? 0 : x.total / x.withUsage,
    requests_with_usage: x.withUsage,
    cost_usd: x.cost,
    priced_requests: x.priced,
    avg_duration_ms: x.duration.avg,
    avg_ttft_ms: x.ttft.avg,
    avg_tokens_per_second: x.tps.avg,
    duration_ms: x.duration,
    ttft_ms: x.ttft,
  };
}

/** Ids of the matching rows, newest first by start_time, then id. */
export function refRecentIds(rows: readonly Row[], f: StatsFilter = {}): number[] {
  return rows
    .filter((r) => matches(r.record, f))
    .sort((a, b) => b.record.start_time - a.record.start_time || b.id - a.id)
    .map((r) => r.id);
}

/**
 * deepEqual, except that non-integer numbers need only agree to 1e-9 relative: sums and
 * averages may be added up in another order than the reference's.
 */
export function assertClose(actual: unknown, expected: unknown, where = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !(Number.isInteger(expected) && Number.isInteger(actual))) {
    const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
    assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: ${actual} ≉ ${expected}`);
    return;
  }
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    assert.equal(actual, expected, where);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${where}: array vs object`);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${where}: keys`);
  for (const key of Object.keys(expected)) {
    assertClose((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
  }
}

/** Keys whose values are float sums (or their averages): these may be added up in another order. */
const isFloatSumKey = (key: string): boolean => key === 'avg' || key === 'cost_usd' || key.startsWith('avg_');

/**
 * deepEqual, except that float sums (`avg`, `avg_*`, `cost_usd`) need only agree to 1e-9 relative, as the
 * index adds pre-computed partials in another order than the reference. Counts, token sums and
 * percentiles must be exactly equal.
 */
export function assertSameAggregates(actual: unknown, expected: unknown, where = '$'): void {
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    assert.equal(actual, expected, where);
    return;
  }
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${where}: array vs object`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);
  for (const key of Object.keys(expected)) {
    const a = (actual as Record<string, unknown>)[key];
    const e = (expected as Record<string, unknown>)[key];
    if (isFloatSumKey(key) && typeof a === 'number' && typeof e === 'number') {
      assert.ok(Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${where}.${key}: ${a} ≉ ${e}`);
    } else {
      assertSameAggregates(a, e, `${where}.${key}`);
    }
  }
}

/** A small deterministic PRNG (mulberry32), so generated data is the same on every run. */

export const DAY0 = Date.UTC(2024, 0, 15);
export const KEY_A = 'key_aaaaaaaaaaaaaaaa';
export const KEY_B = 'key_bbbbbbbbbbbbbbbb';

/**
 * `count` varied records over 2024-01-15 (UTC), not in time order, some sharing a start_time:
 * five endpoints, three models and none, keys, users, origins, tags (one value with colons),
 * errors of several types, streams with TTFT/TTLT, missing usage, cached/reasoning tokens, costs.
 */
export function generateRecords(count: number, seed: number): RequestRecord[] {
  const rand = prng(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const round3 = (x: number): number => Math.round(x * 1000) / 1000;
  const ms3 = (max: number): number => round3(rand() * max);
  const out: RequestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const previous = out[i - 1];
    const start_time = i % 10 === 9 && previous ? previous.start_time : DAY0 + Math.floor(rand() * 86_400_000);
    const endpoint = pick(['/v1/chat/completions', '/v1/chat/completions', '/v1/completions', '/v1/responses', '/v1/embeddings', '/v1/models']);
    const completion = endpoint !== '/v1/embeddings' && endpoint !== '/v1/models';
    const model = endpoint === '/v1/models' ? null : pick(['model-a', 'model-a', 'model-b', 'model-c']);
    const was_streamed = completion && rand() < 0.5;
    const is_error = rand() < 0.15;
    const usage = !is_error && endpoint !== '/v1/models' && rand() < 0.85;
    const input = usage ? 1 + Math.floor(rand() * 2000) : null;
    const output = usage ? (endpoint === '/v1/embeddings' ? 0 : Math.floor(rand() * 800)) : null;
    const ttft = was_streamed && !is_error ? ms3(900) : null;
    const ttlt = ttft !== null ? round3(ttft + ms3(4000)) : null;
    const price = model === 'model-a' ? 0.000002 : model === 'model-b' ? 0.0000075 : null;
    const tags: Record<string, string> = {};
    const team = pick(['red', 'blue', null]);
    if (team !== null) tags.team = team;
    const env = pick(['prod', 'dev', null]);
    if (env !== null) tags.env = env;
    if (i % 7 === 3) tags.note = 'a:b';
    out.push({
      start_time,
      method: endpoint === '/v1/models' ? 'GET' : 'POST',
      endpoint,
      model,
      response_model: model,
      status_code: is_error ? pick([429, 500, 502]) : 200,
      is_error,
      error_type: is_error ? pick(['upstream_status', 'upstream_timeout', 'client_aborted'] as const) : null,
      error_message: is_error ? 'failed' : null,
      was_streamed,
      input_tokens: input,
      output_tokens: output,
      total_tokens: input === null || output === null ? null : input + output,
      cached_input_tokens: input !== null && rand() < 0.3 ? Math.floor(input / 2) : null,
      reasoning_tokens: output !== null && rand() < 0.2 ? Math.floor(output / 3) : null,
      usage_source: usage ? 'reported' : 'none',
      ttft_ms: ttft,
      ttlt_ms: ttlt,
      duration_ms: round3((ttlt ?? 0) + ms3(3000)),
      tokens_per_second: output !== null && output > 0 ? Math.round(rand() * 120_000) / 1000 : null,
      finish_reason: usage && completion ? 'stop' : null,
      message_count: completion && rand() < 0.8 ? 1 + Math.floor(rand() * 12) : null,
      origin: pick(['https://app.example', 'http://localhost:3000', null]),
      api_key_id: pick([KEY_A, KEY_B, null]),
      user: pick(['alice', 'bob', 'carol', null]),
      tags,
      cost_usd: price !== null && input !== null && output !== null ? (input + output) * price : null,
      // Schema-3 fields: some rows carry backend timings and tool calls, the rest null (as stored).
      cache_creation_input_tokens: usage && rand() < 0.1 ? Math.floor(rand() * 500) : null,
      tool_calls: completion && rand() < 0.2 ? 1 + Math.floor(rand() * 3) : null,
      backend_prompt_ms: usage && rand() < 0.3 ? ms3(200) : null,
      backend_generation_ms: usage && rand() < 0.3 ? ms3(2000) : null,
      backend_tokens_per_second: usage && rand() < 0.3 ? ms3(90) : null,
      backend_load_ms: rand() < 0.1 ? ms3(50) : null,
      backend_total_ms: rand() < 0.1 ? ms3(3000) : null,
    });
  }
  return out;
}

// The other test files import this one; its own tests run only when it is the file under test.
