/**
 * Retention without waiting: rows spread over 90 simulated days go into a real SQLite store; the
 * real `Pruner` runs with an injected clock (30-day retention), wired as the data thread wires it
 * (`onPruned` → `MemoryAnalytics.setRetainedFrom` + `AnalyticsIndex.dropBefore`), behind the real
 * admin HTTP app on 127.0.0.1:0. Everything is checked over HTTP against sums computed here from
 * the rows written:
 * - after the prune, `/stats/summary` says `partial` and `retained_from` = the cutoff and counts
 *   only retained rows; from a start at or after the cutoff it is not partial;
 * - `/stats/recent` never returns a pruned row, `/stats/requests/:id` of one is a 404;
 * - `/stats/usage` still gives the exact totals of every one of the 90 days (day, week, month,
 *   JSON and CSV), and a second pass at the same clock deletes nothing and changes nothing;
 * - USAGE_RETENTION_DAYS deletes whole old days only, and `/stats/usage` says `usage_retained_from`;
 * - a large prune racing writes (new and old start times) loses nothing newer than the cutoff and
 *   keeps usage exact.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import { MemoryAnalytics } from '../../src/analytics/memory-analytics.js';
import { StoreSync } from '../../src/analytics/store-sync.js';
import { createAdminApp } from '../../src/api/admin-app.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { DAY_MS, periodStart, utcDay, type UsageGranularity } from '../../src/domain/usage.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { Pruner } from '../../src/store/pruner.js';
import type { Store } from '../../src/store/types.js';
import { prng } from '../helpers/prng.js';

const HOUR = 3_600_000;
const logger = createLogger('silent');

// ---------------------------------------------------------------------------------------------
// Data

const MODELS = ['llama3.2', 'qwen2.5-coder:7b', 'gpt-4o-mini', 'mistral-small'];
const ENDPOINTS = ['/v1/chat/completions', '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/responses'];

/** One plausible row; tags on most (team, env, and a few with a colon in the value). */
function makeRecord(rand: () => number, start_time: number): RequestRecord {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const endpoint = pick(ENDPOINTS);
  const model = rand() < 0.95 ? pick(MODELS) : null;
  const is_error = rand() < 0.08;
  const usage = !is_error && rand() < 0.9;
  const streamed = endpoint !== '/v1/embeddings' && rand() < 0.5;
  const input = usage ? 1 + Math.floor(rand() * 3000) : null;
  const output = usage ? (endpoint === '/v1/embeddings' ? 0 : Math.floor(rand() * 900)) : null;
  const ttft = streamed && !is_error ? Math.round(rand() * 800_000) / 1000 : null;
  const tags: Record<string, string> = {};
  if (rand() < 0.7) tags.team = pick(['red', 'blue', 'green']);
  if (rand() < 0.5) tags.env = pick(['prod', 'staging']);
  if (rand() < 0.05) tags.trace = `svc:${Math.floor(rand() * 1000)}`;
  return {
    start_time,
    method: 'POST',
    endpoint,
    model,
    response_model: model,
    status_code: is_error ? pick([429, 500, 502]) : 200,
    is_error,
    error_type: is_error ? 'upstream_status' : null,
    error_message: is_error ? 'upstream answered with an error' : null,
    was_streamed: streamed,
    input_tokens: input,
    output_tokens: output,
    total_tokens: input === null || output === null ? null : input + output,
    cached_input_tokens: input !== null && rand() < 0.3 ? Math.floor(input / 3) : null,
    reasoning_tokens: output !== null && rand() < 0.2 ? Math.floor(output / 4) : null,
    usage_source: usage ? 'reported' : 'none',
    ttft_ms: ttft,
    ttlt_ms: ttft === null ? null : Math.round(ttft * 1000 + rand() * 5_000_000) / 1000,
    duration_ms: Math.round(rand() * 9_000_000) / 1000,
    tokens_per_second: output !== null && output > 0 ? Math.round(rand() * 150_000) / 1000 : null,
    finish_reason: usage ? 'stop' : null,
    message_count: 1 + Math.floor(rand() * 10),
    origin: rand() < 0.4 ? 'https://app.example.com' : null,
    api_key_id: pick(['key_0123456789abcdef', 'key_fedcba9876543210', null]),
    user: pick(['alice', 'bob', 'carol', 'dave', null]),
    tags,
    cost_usd: model === 'gpt-4o-mini' && input !== null && output !== null ? (input * 0.15 + output * 0.6) / 1e6 : null,
  };
}

/**
 * `perDay(day)` rows on each of `days` UTC days from `from`: some exactly on the midnight that
 * starts the day, some on the last millisecond before the next, the rest anywhere in the day.
 */
function spreadOverDays(seed: number, from: number, days: number, perDay: (rand: () => number) => number): RequestRecord[] {
  const rand = prng(seed);
  const out: RequestRecord[] = [];
  for (let d = 0; d < days; d++) {
    const day = from + d * DAY_MS;
    const n = perDay(rand);
    for (let i = 0; i < n; i++) {
      const t = i % 40 === 0 ? day : i % 40 === 1 ? day + DAY_MS - 1 : day + Math.floor(rand() * DAY_MS);
      out.push(makeRecord(rand, t));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expected usage, from the rows written

interface Sums {
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
const INT_FIELDS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'total_tokens', 'cached_input_tokens', 'reasoning_tokens'] as const;
const FLOAT_FIELDS = ['cost_usd', 'duration_ms'] as const;
const SUM_FIELDS = [...INT_FIELDS, ...FLOAT_FIELDS] as const;

const zero = (): Sums => ({ requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, duration_ms: 0 });

function addRecord(s: Sums, r: RequestRecord): void {
  s.requests++;
  s.errors += r.is_error ? 1 : 0;
  s.input_tokens += r.input_tokens ?? 0;
  s.output_tokens += r.output_tokens ?? 0;
  s.total_tokens += r.total_tokens ?? 0;
  s.cached_input_tokens += r.cached_input_tokens ?? 0;
  s.reasoning_tokens += r.reasoning_tokens ?? 0;
  s.cost_usd += r.cost_usd ?? 0;
  s.duration_ms += r.duration_ms;
}

/** Sums per period start (ascending) of the records. */
function expectedUsage(records: readonly RequestRecord[], granularity: UsageGranularity): Map<number, Sums> {
  const by = new Map<number, Sums>();
  for (const r of records) {
    const p = periodStart(r.start_time, granularity);
    let s = by.get(p);
    if (s === undefined) by.set(p, (s = zero()));
    addRecord(s, r);
  }
  return new Map([...by].sort((a, b) => a[0] - b[0]));
}

/** Integers exactly; float sums (added in another order) to 1e-9 relative. */
function assertSums(actual: Record<string, unknown>, expected: Sums, where: string): void {
  for (const f of INT_FIELDS) assert.equal(actual[f], expected[f], `${where}: ${f}`);
  for (const f of FLOAT_FIELDS) {
    const a = actual[f] as number;
    assert.equal(typeof a, 'number', `${where}: ${f} is a number`);
    assert.ok(Math.abs(a - expected[f]) <= 1e-9 * Math.max(1, Math.abs(expected[f])), `${where}: ${f} ${a} ≉ ${expected[f]}`);
  }
}

interface UsageBody {
  partial: boolean;
  retained_from: string | null;
  usage_retained_from: string | null;
  start: string;
  end: string;
  usage: Array<Record<string, unknown> & { period: string }>;
  totals: Record<string, unknown>;
}

/** The answer's rows equal `expected` period by period (same periods, same sums), and its totals their sum. */
function assertUsage(body: UsageBody, expected: Map<number, Sums>, where: string): void {
  assert.deepEqual(body.usage.map((u) => u.period), [...expected.keys()].map((t) => new Date(t).toISOString()), `${where}: periods`);
  const total = zero();
  for (const u of body.usage) {
    const e = expected.get(Date.parse(u.period))!;
    assertSums(u, e, `${where} ${u.period.slice(0, 10)}`);
    for (const f of SUM_FIELDS) total[f] += e[f];
  }
  assertSums(body.totals, total, `${where} totals`);
}

// ---------------------------------------------------------------------------------------------
// A real admin app over a real store, pruned as the data thread prunes

interface Stack {
  readonly dir: string;
  readonly store: Store;
  readonly index: AnalyticsIndex;
  readonly analytics: MemoryAnalytics;
  readonly sync: StoreSync;
  readonly baseUrl: string;
  /** The injected clock of the app and of every pruner made by `pruner`. */
  now: number;
  pruner(retentionDays: number, usageRetentionDays: number, storeOverride?: Pick<Store, 'pruneRequests' | 'pruneUsage' | 'reclaimSpace'>): Pruner;
  /** Writes the records as the data thread does (recordBatch, then tell the sync); returns the ids they got. */
  write(records: readonly RequestRecord[]): Promise<number[]>;
  get<T = any>(pathAndQuery: string): Promise<{ status: number; body: T }>;
  text(pathAndQuery: string): Promise<{ status: number; type: string; body: string }>;
  close(): Promise<void>;
}

async function startStack(now: number): Promise<Stack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-retention-'));
  const store = openStore({ dbPath: path.join(dir, 'metrics.db') });
  const index = new AnalyticsIndex();
  const analytics = new MemoryAnalytics(index, store);
  const sync = new StoreSync(store, (records) => index.add(records));
  const marks = await store.retention();
  analytics.setRetainedFrom(marks.requestsBefore);
  const stack: Stack = {
    dir, store, index, analytics, sync, baseUrl: '', now,
    pruner: (retentionDays, usageRetentionDays, storeOverride) =>
      new Pruner({
        store: storeOverride ?? store,
        retentionDays,
        usageRetentionDays,
        logger,
        now: () => stack.now,
        onPruned: (cutoff) => {
          analytics.setRetainedFrom(cutoff);
          index.dropBefore(cutoff);
        },
      }),
    async write(records) {
      const ids: number[] = [];
      for (let i = 0; i < records.length; i += 1000) {
        const part = records.slice(i, i + 1000);
        const range = await store.recordBatch(part);
        assert.ok(range !== null && range.lastId - range.firstId + 1 === part.length, 'a batch gets consecutive ids');
        sync.appended(part, range);
        for (let id = range.firstId; id <= range.lastId; id++) ids.push(id);
      }
      return ids;
    },
    async get(pathAndQuery) {
      const res = await fetch(`${stack.baseUrl}${pathAndQuery}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `content-type of ${pathAndQuery}`);
      return { status: res.status, body: await res.json() };
    },
    async text(pathAndQuery) {
      const res = await fetch(`${stack.baseUrl}${pathAndQuery}`);
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  const app = createAdminApp({ store, analytics, refresh: () => sync.refresh(), logger, now: () => stack.now });
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve({ server: s as Server, port: info.port }));
  });
  (stack as { baseUrl: string }).baseUrl = `http://127.0.0.1:${port}`;
  return stack;
}

/** Every row of `/stats/recent`, newest first, paged by cursor. */
async function allRecent(stack: Stack, query = ''): Promise<Array<{ id: number; start_time: string }>> {
  const out: Array<{ id: number; start_time: string }> = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 200, 'paging ends');
    const q: string = `/stats/recent?limit=1000${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const { status, body } = await stack.get<{ requests: Array<{ id: number; start_time: string }>; next_cursor: string | null }>(q);
    assert.equal(status, 200, q);
    out.push(...body.requests);
    if (body.next_cursor === null) return out;
    cursor = body.next_cursor;
  }
}

/** All rows of the store in id order. */
async function storedRows(store: Store): Promise<Array<{ id: number; record: RequestRecord }>> {
  const out: Array<{ id: number; record: RequestRecord }> = [];
  for (let afterId = 0; ; ) {
    const page = await store.scan(afterId, 5000);
    if (page.length === 0) return out;
    out.push(...page);
    afterId = page[page.length - 1]!.id;
  }
}

/** Minimal CSV reader for the usage export (no quoted fields in these answers). */
function parseCsv(text: string): string[][] {
  return text.trim().split(/\r?\n/).map((line) => {
    assert.ok(!line.includes('"'), `unexpected quoting in ${line}`);
    return line.split(',');
  });
}

// ---------------------------------------------------------------------------------------------

/** Monday 2025-01-06: 90 UTC days from here. */
const DAY0 = Date.UTC(2025, 0, 6);
const DAYS = 90;
/** 06:00 on the 91st day: the clock of every pass below. */
const NOW = DAY0 + DAYS * DAY_MS + 6 * HOUR;
const RETENTION_DAYS = 30;
/** 06:00 on day 60: not a midnight, so its day's rollup holds rows on both sides of it. */
const CUTOFF = NOW - RETENTION_DAYS * DAY_MS;
const iso = (t: number): string => new Date(t).toISOString();

describe('retention: 90 simulated days pruned to 30 with an injected clock, checked over HTTP', () => {
  let stack: Stack;
  let written: RequestRecord[];
  /** id → record of every row written. */
  const byId = new Map<number, RequestRecord>();
  let dayUsageAfterPrune: UsageBody;

  before(async () => {
    stack = await startStack(NOW);
    const rand = prng(77);
    written = spreadOverDays(11, DAY0, DAYS, (r) => 150 + Math.floor(r() * 200));
    // The 91st day up to the clock (its usage comes from the rows, not a whole-day rollup), and
    // rows on both sides of the cutoff, to the millisecond.
    for (let i = 0; i < 40; i++) written.push(makeRecord(rand, DAY0 + DAYS * DAY_MS + Math.floor((i / 40) * 6 * HOUR)));
    written.push(makeRecord(rand, CUTOFF - 1), makeRecord(rand, CUTOFF), makeRecord(rand, CUTOFF), makeRecord(rand, CUTOFF + 1));
    const ids = await stack.write(written);
    ids.forEach((id, i) => byId.set(id, written[i]!));
  });

  after(async () => {
    await stack?.close();
  });

  const retained = (): RequestRecord[] => written.filter((r) => r.start_time >= CUTOFF);
  const pruned = (): RequestRecord[] => written.filter((r) => r.start_time < CUTOFF);

  it('before any prune: nothing is partial, everything counts', async () => {
    const { body } = await stack.get('/stats/summary');
    assert.equal(body.partial, false);
    assert.equal(body.retained_from, null);
    assert.equal(body.total_requests, written.length);
    const usage = await stack.get<UsageBody>('/stats/usage?granularity=day');
    assert.equal(usage.body.partial, false);
    assertUsage(usage.body, expectedUsage(written, 'day'), 'usage before prune');
  });

  it('a pass deletes exactly the rows before now − 30 days, and says so to the analytics', { timeout: 20_000 }, async () => {
    const result = await stack.pruner(RETENTION_DAYS, 0).runOnce();
    assert.equal(result.requests, pruned().length);
    assert.equal(result.usageRows, 0);
    assert.deepEqual(await stack.store.retention(), { requestsBefore: CUTOFF, usageBefore: null });
    assert.equal(await stack.analytics.retainedFrom(), CUTOFF);
    const left = await storedRows(stack.store);
    assert.equal(left.length, retained().length);
    assert.ok(left.every((r) => r.record.start_time >= CUTOFF), 'no row before the cutoff is left');
    // The index drops whole 65 536-row segments only: with ~22 000 rows it keeps them all, so
    // every answer below must exclude the pruned rows by the retention floor alone.
  });

  it('/stats/summary without start: partial, retained_from = the cutoff, only retained rows', async () => {
    const { status, body } = await stack.get('/stats/summary');
    assert.equal(status, 200);
    assert.equal(body.partial, true);
    assert.equal(body.retained_from, iso(CUTOFF));
    const kept = retained();
    const sums = zero();
    for (const r of kept) addRecord(sums, r);
    assert.equal(body.total_requests, kept.length);
    assert.equal(body.failed_requests, sums.errors);
    assert.equal(body.total_input_tokens, sums.input_tokens);
    assert.equal(body.total_output_tokens, sums.output_tokens);
    assert.equal(body.total_tokens, sums.total_tokens);
    assert.ok(Math.abs(body.total_duration_ms - sums.duration_ms) <= 1e-9 * sums.duration_ms, 'total_duration_ms');
    assert.equal(body.first_request_at, iso(CUTOFF), 'the oldest retained row is the one exactly at the cutoff');
    // A start before the cutoff is partial too, and counts the same rows.
    const early = await stack.get(`/stats/summary?start=${iso(DAY0)}`);
    assert.equal(early.body.partial, true);
    assert.equal(early.body.total_requests, kept.length);
    // Tag filters see only retained rows as well.
    const red = await stack.get('/stats/summary?tag=team:red');
    assert.equal(red.body.total_requests, kept.filter((r) => r.tags.team === 'red').length);
    assert.equal(red.body.partial, true);
  });

  it('/stats/summary from a start at or after the cutoff is not partial', async () => {
    for (const start of [CUTOFF, CUTOFF + 1, CUTOFF + 5 * DAY_MS]) {
      const { body } = await stack.get(`/stats/summary?start=${iso(start)}`);
      assert.equal(body.partial, false, `start=${iso(start)}`);
      assert.equal(body.retained_from, iso(CUTOFF));
      assert.equal(body.total_requests, written.filter((r) => r.start_time >= start).length, `start=${iso(start)}`);
    }
  });

  it('/stats/recent never returns a pruned row; a pruned id is a 404', async () => {
    const rows = await allRecent(stack);
    assert.equal(rows.length, retained().length);
    for (const r of rows) assert.ok(Date.parse(r.start_time) >= CUTOFF, `row ${r.id} at ${r.start_time} is before the cutoff`);
    const early = await allRecent(stack, `&start=${encodeURIComponent(iso(DAY0))}`);
    assert.equal(early.length, retained().length);
    const prunedId = [...byId].find(([, r]) => r.start_time === CUTOFF - 1)![0];
    assert.equal((await stack.get(`/stats/requests/${prunedId}`)).status, 404);
    const keptId = [...byId].find(([, r]) => r.start_time === CUTOFF)![0];
    assert.equal((await stack.get(`/stats/requests/${keptId}`)).status, 200);
  });

  it('/stats/usage keeps the exact totals of every one of the 90 days; weeks and months sum the days', async () => {
    const day = await stack.get<UsageBody>('/stats/usage?granularity=day');
    assert.equal(day.status, 200);
    assert.equal(day.body.partial, false, 'usage of every day is exact: not partial');
    assert.equal(day.body.retained_from, iso(CUTOFF));
    assert.equal(day.body.usage_retained_from, null);
    assert.equal(day.body.start, iso(DAY0));
    assert.equal(day.body.usage.length, DAYS + 1, '90 whole days and the 91st up to the clock');
    assertUsage(day.body, expectedUsage(written, 'day'), 'day');
    dayUsageAfterPrune = day.body;

    for (const granularity of ['week', 'month'] as const) {
      const { body } = await stack.get<UsageBody>(`/stats/usage?granularity=${granularity}`);
      assertUsage(body, expectedUsage(written, granularity), granularity);
      // The same numbers as the day rows of the answer above, summed per period.
      const fromDays = new Map<number, Sums>();
      for (const u of day.body.usage) {
        const p = periodStart(Date.parse(u.period), granularity);
        const s = fromDays.get(p) ?? zero();
        for (const f of SUM_FIELDS) s[f] += u[f] as number;
        fromDays.set(p, s);
      }
      assertUsage(body, fromDays, `${granularity} vs days`);
    }
  });

  it('format=csv carries the same numbers', async () => {
    for (const granularity of ['day', 'week', 'month'] as const) {
      const json = await stack.get<UsageBody>(`/stats/usage?granularity=${granularity}`);
      const csv = await stack.text(`/stats/usage?granularity=${granularity}&format=csv`);
      assert.equal(csv.status, 200);
      assert.match(csv.type, /^text\/csv/);
      const [header, ...lines] = parseCsv(csv.body);
      assert.deepEqual(header, ['period', ...SUM_FIELDS]);
      assert.equal(lines.length, json.body.usage.length, `${granularity}: CSV lines`);
      lines.forEach((cells, i) => {
        const row = json.body.usage[i]!;
        assert.equal(cells[0], row.period.slice(0, 10), `${granularity} line ${i}: period`);
        SUM_FIELDS.forEach((f, j) => assert.equal(Number(cells[j + 1]), row[f], `${granularity} ${cells[0]}: ${f}`));
      });
    }
  });

  it('a second pass at the same clock deletes nothing and changes no usage figure', async () => {
    const result = await stack.pruner(RETENTION_DAYS, 0).runOnce();
    assert.deepEqual(result, { requests: 0, usageRows: 0 });
    const { body } = await stack.get<UsageBody>('/stats/usage?granularity=day');
    assert.deepEqual(body, dayUsageAfterPrune);
    assert.equal((await storedRows(stack.store)).length, retained().length);
  });

  it('USAGE_RETENTION_DAYS deletes whole old days only; /stats/usage says usage_retained_from', async () => {
    const usageDays = 60;
    const firstKeptDay = utcDay(NOW) - usageDays * DAY_MS; // day 30
    const result = await stack.pruner(RETENTION_DAYS, usageDays).runOnce();
    assert.equal(result.requests, 0);
    assert.ok(result.usageRows > 0, 'old rollup rows were deleted');
    assert.deepEqual(await stack.store.retention(), { requestsBefore: CUTOFF, usageBefore: firstKeptDay });

    const keptRecords = written.filter((r) => r.start_time >= firstKeptDay);
    const { body } = await stack.get<UsageBody>('/stats/usage?granularity=day');
    assert.equal(body.usage_retained_from, iso(firstKeptDay));
    assert.equal(body.start, iso(firstKeptDay), 'all-time usage starts at the first kept day');
    assert.equal(body.partial, false, 'from the first kept day on, usage is whole');
    // Every kept day exact (day 30 included, whole); nothing of the deleted days.
    assertUsage(body, expectedUsage(keptRecords, 'day'), 'after usage retention');
    assert.equal(body.usage.length, DAYS - 30 + 1);

    const fromStart = await stack.get<UsageBody>(`/stats/usage?granularity=day&start=${iso(DAY0)}`);
    assert.equal(fromStart.body.partial, true, 'a range reaching before usage_retained_from is partial');
    assert.equal(fromStart.body.usage_retained_from, iso(firstKeptDay));
    assertUsage(fromStart.body, expectedUsage(keptRecords, 'day'), 'from day 0 after usage retention');

    const month = await stack.get<UsageBody>('/stats/usage?granularity=month');
    assertUsage(month.body, expectedUsage(keptRecords, 'month'), 'months after usage retention');
  });
});

describe('retention: a large prune racing writes', () => {
  /** Monday 2025-06-02; 40 days of backlog, 10 kept. */
  const FROM = Date.UTC(2025, 5, 2);
  const BACKLOG_DAYS = 40;
  const KEEP_DAYS = 10;
  const CLOCK = FROM + BACKLOG_DAYS * DAY_MS + 12 * HOUR;
  const RACE_CUTOFF = CLOCK - KEEP_DAYS * DAY_MS;
  let stack: Stack;
  /**
   * Every row written, by a unique `n` tag (independent of the ids, which a regression could
   * hand out again after a prune).
   */
  const written = new Map<string, { record: RequestRecord; racing: boolean }>();
  let serial = 0;
  const tagged = (r: RequestRecord): RequestRecord => ({ ...r, tags: { ...r.tags, n: String(serial++) } });
  let firstPass: { requests: number } = { requests: 0 };

  before(async () => {
    stack = await startStack(CLOCK);
  });
  after(async () => {
    await stack?.close();
  });

  const newer = (): RequestRecord[] => [...written.values()].filter((w) => w.record.start_time >= RACE_CUTOFF).map((w) => w.record);

  it('loses nothing newer than the cutoff and keeps the daily rollups exact', { timeout: 30_000 }, async () => {
    const backlog = spreadOverDays(5, FROM, BACKLOG_DAYS, () => 1000).map(tagged);
    for (const r of backlog) written.set(r.tags.n!, { record: r, racing: false });
    await stack.write(backlog);
    const backlogOld = backlog.filter((r) => r.start_time < RACE_CUTOFF).length;
    assert.ok(backlogOld > 25_000, `a large prune: ${backlogOld} rows`);

    // Order of events: each prune batch (its size) and each racing write.
    const events: Array<{ kind: 'prune'; deleted: number } | { kind: 'write' }> = [];
    const store = stack.store;
    const observed: Pick<Store, 'pruneRequests' | 'pruneUsage' | 'reclaimSpace'> = {
      pruneRequests: async (before, limit) => {
        const deleted = await store.pruneRequests(before, limit);
        events.push({ kind: 'prune', deleted });
        return deleted;
      },
      pruneUsage: (beforeDay) => store.pruneUsage(beforeDay),
      reclaimSpace: () => store.reclaimSpace(),
    };

    const rand = prng(99);
    let done = false;
    let batches = 0;
    const racing = async (): Promise<void> => {
      // Writes as the recorder does between prune batches: rows of now, of long ago, on the cutoff.
      while (!done) {
        const rows: RequestRecord[] = [];
        for (let i = 0; i < 30; i++) {
          const u = rand();
          const t = u < 0.5 ? RACE_CUTOFF + Math.floor(rand() * (CLOCK - RACE_CUTOFF)) : u < 0.9 ? FROM + Math.floor(rand() * (RACE_CUTOFF - FROM)) : RACE_CUTOFF;
          const r = tagged(makeRecord(rand, t));
          rows.push(r);
          written.set(r.tags.n!, { record: r, racing: true });
        }
        await stack.write(rows);
        batches++;
        events.push({ kind: 'write' });
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    const pass = stack.pruner(KEEP_DAYS, 0, observed).runOnce().finally(() => (done = true));
    const [result] = await Promise.all([pass, racing()]);
    firstPass = result;

    const pruneEvents = events.filter((e) => e.kind === 'prune').length;
    const firstPrune = events.findIndex((e) => e.kind === 'prune');
    const lastPrune = events.length - 1 - [...events].reverse().findIndex((e) => e.kind === 'prune');
    const writesBetween = events.slice(firstPrune, lastPrune).filter((e) => e.kind === 'write').length;
    console.log(`[prune-race] backlog=${backlog.length} deleted=${result.requests} prune_batches=${pruneEvents} racing_batches=${batches} racing_batches_during_prune=${writesBetween}`);
    assert.ok(pruneEvents >= 10, `the prune ran in batches (${pruneEvents})`);
    assert.ok(writesBetween >= pruneEvents - 2, `writes went on between the prune's batches (${writesBetween} during ${pruneEvents} batches)`);

    const left = await storedRows(store);
    const leftTags = new Set(left.map((r) => r.record.tags.n));
    assert.equal(leftTags.size, left.length, 'each row stored once');
    // Nothing at or after the cutoff is missing, whenever it was written.
    const missing = newer().filter((r) => !leftTags.has(r.tags.n));
    assert.deepEqual(missing.map((r) => r.tags.n), [], 'rows at or after the cutoff deleted');
    // Every old row of the backlog is gone; old rows left are racing writes the pass did not reach.
    const oldLeft = left.filter((r) => r.record.start_time < RACE_CUTOFF);
    for (const r of oldLeft) assert.equal(written.get(r.record.tags.n!)?.racing, true, `backlog row ${r.record.tags.n} before the cutoff survived the pass`);
    assert.equal(left.length - oldLeft.length, newer().length);
    assert.equal(result.requests, written.size - left.length, 'the pass counts exactly the rows it deleted');

    // Row reads: only rows from the cutoff on. Daily rollups: exact over everything ever written.
    const recent = await allRecent(stack);
    assert.equal(recent.length, newer().length);
    assert.ok(recent.every((r) => Date.parse(r.start_time) >= RACE_CUTOFF));
    const all = [...written.values()].map((w) => w.record);
    const days = await store.dailyUsage({ fromDay: FROM, toDay: utcDay(CLOCK) + DAY_MS, filter: {}, groupBy: null });
    const expected = expectedUsage(all, 'day');
    assert.deepEqual(days.map((d) => d.day), [...expected.keys()]);
    for (const d of days) assertSums(d.usage as unknown as Record<string, unknown>, expected.get(d.day)!, `rollup ${iso(d.day).slice(0, 10)}`);
  });

  it('after the racing prune the stats answers count every retained row; /stats/usage stays exact', async () => {
    await stack.sync.refresh();
    const summary = await stack.get('/stats/summary');
    assert.equal(summary.body.partial, true);
    assert.equal(summary.body.retained_from, iso(RACE_CUTOFF));
    assert.equal(summary.body.total_requests, newer().length, '/stats/summary counts every row at or after the cutoff');
    const usage = await stack.get<UsageBody>('/stats/usage?granularity=day');
    assertUsage(usage.body, expectedUsage([...written.values()].map((w) => w.record), 'day'), 'usage after the racing prune');
  });

  it('the next pass deletes exactly the old rows written during the first, and changes no rollup', async () => {
    const before = await storedRows(stack.store);
    const oldLeft = before.filter((r) => r.record.start_time < RACE_CUTOFF).length;
    const rollups = await stack.store.dailyUsage({ fromDay: FROM, toDay: utcDay(CLOCK) + DAY_MS, filter: {}, groupBy: null });
    const second = await stack.pruner(KEEP_DAYS, 0).runOnce();
    assert.equal(second.requests, oldLeft);
    assert.equal((await storedRows(stack.store)).length, newer().length);
    assert.deepEqual(await stack.store.dailyUsage({ fromDay: FROM, toDay: utcDay(CLOCK) + DAY_MS, filter: {}, groupBy: null }), rollups);
    assert.ok(firstPass.requests > 25_000);
  });
});

describe('retention: traffic resumes after an idle spell longer than the retention', () => {
  it('a row written after every row was pruned gets a new id and shows up in the stats', async () => {
    const from = Date.UTC(2025, 8, 1);
    const clock = from + 45 * DAY_MS;
    const stack = await startStack(clock);
    try {
      const rand = prng(3);
      const old = Array.from({ length: 50 }, (_, i) => makeRecord(rand, from + i * HOUR));
      const oldIds = await stack.write(old);
      assert.equal((await stack.get('/stats/summary')).body.total_requests, 50);
      // Nothing for 45 days; a 30-day retention pass deletes every row.
      assert.equal((await stack.pruner(30, 0).runOnce()).requests, 50);
      assert.equal((await stack.get('/stats/summary')).body.total_requests, 0);
      // Traffic resumes.
      const fresh = makeRecord(rand, clock + 1000);
      stack.now = clock + 2000;
      const [freshId] = await stack.write([fresh]);
      const summary = await stack.get('/stats/summary');
      assert.equal(summary.body.total_requests, 1, '/stats/summary counts the new row');
      assert.equal(summary.body.partial, true);
      assert.ok(freshId! > Math.max(...oldIds), `the new row got id ${freshId}, an id an earlier (deleted) request had`);
    } finally {
      await stack.close();
    }
  });
});
