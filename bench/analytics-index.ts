/**
 * Timing check for the analytics index (not a test): fills 1,000,000 realistic records and prints
 * add() time, memory per record, milliseconds per call of each aggregate query and of dropBefore,
 * for this tree's index and, in the same run, for the index of a baseline commit (taken with
 * `git archive`), so that both figures see the same machine load.
 *
 *   npx tsx bench/analytics-index.ts [records] [--baseline <commit>|--no-baseline] [--queries] [--unrounded]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AnalyticsIndex } from '../src/analytics/analytics-index.js';
import type { IndexQueries } from '../src/analytics/types.js';
import type { StatsFilter } from '../src/domain/stats-filter.js';
import type { ErrorType, RequestRecord } from '../src/domain/request-record.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const args = process.argv.slice(2);
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
/** The index before the retention and memory work (dropBefore, narrow columns, faster add). */
const DEFAULT_BASELINE = '499bbfe';
const baselineRef = args.includes('--no-baseline') ? null : (args[args.indexOf('--baseline') + 1] ?? null) && args.includes('--baseline')
  ? args[args.indexOf('--baseline') + 1]!
  : DEFAULT_BASELINE;
const withQueries = args.includes('--queries');
const unrounded = args.includes('--unrounded');
const DAY = 86_400_000;
const END = Date.UTC(2025, 0, 31);
const START = END - 30 * DAY;

/** Deterministic PRNG (mulberry32). */
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function normal(): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}
function pick<T>(values: readonly T[]): T {
  return values[Math.floor(rand() * values.length)]!;
}
/** Index skewed towards the first values (Zipf-like). */
function skewed<T>(values: readonly T[]): T {
  return values[Math.floor(values.length * rand() * rand())]!;
}

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'llama-3.1-8b', 'llama-3.1-70b', 'qwen2.5-7b', 'mistral-7b', 'claude-sonnet', 'text-embed-3'];
const PRICED = new Set(MODELS.slice(0, 6));
const ENDPOINTS = ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/responses', '/v1/completions', '/v1/embeddings'];
const KEYS = Array.from({ length: 20 }, (_, i) => `key_${i.toString(16).padStart(16, '0')}`);
const USERS = Array.from({ length: 200 }, (_, i) => `user-${i}`);
const TEAMS = ['red', 'green', 'blue'];
const ORIGINS = [null, null, null, 'https://chat.example.com', 'http://localhost:3000'];
const ERRORS: ErrorType[] = ['upstream_status', 'upstream_status', 'upstream_timeout', 'client_aborted', 'stream_error'];

/** Rounded to 3 decimals as the proxy records metrics (exchange-capture.ts); --unrounded keeps every bit. */
function round3(x: number): number {
  return unrounded ? x : Math.round(x * 1000) / 1000;
}

function record(i: number): RequestRecord {
  if (i === 0) seed = 42; // every index gets the same records
  const endpoint = pick(ENDPOINTS);
  const embedding = endpoint === '/v1/embeddings';
  const model = embedding ? 'text-embed-3' : rand() < 0.01 ? null : skewed(MODELS.slice(0, 7));
  const streamed = !embedding && rand() < 0.6 / (1 - 1 / 6);
  const isError = rand() < 0.05;
  const duration = Math.round(Math.exp(Math.log(embedding ? 80 : 900) + normal()) * 10) / 10;
  const input = Math.floor(20 + rand() * 2000);
  const output = embedding ? 0 : Math.floor(1 + rand() * 800);
  const usage = !isError && rand() < 0.97;
  const ttft = streamed && !isError ? Math.round(duration * (0.05 + rand() * 0.2) * 10) / 10 : null;
  const ttlt = ttft === null ? null : round3(Math.max(ttft, duration - 1));
  const window = ttft !== null && ttlt !== null ? ttlt - ttft : duration;
  const rate = usage && output > 0 && window > 0 ? (output / window) * 1000 : null;
  const tps = rate === null ? null : round3(rate);
  const team = rand() < 0.9 ? pick(TEAMS) : null;
  return {
    start_time: Math.round(START + ((i + rand() * 50) / N) * 30 * DAY),
    method: 'POST', endpoint, model, response_model: model,
    status_code: isError ? 502 : 200, is_error: isError, error_type: isError ? pick(ERRORS) : null,
    error_message: isError ? 'upstream failed' : null, was_streamed: streamed,
    input_tokens: usage ? input : null, output_tokens: usage ? output : null, total_tokens: usage ? input + output : null,
    cached_input_tokens: usage && rand() < 0.3 ? Math.floor(input / 2) : null, reasoning_tokens: null,
    usage_source: usage ? 'reported' : 'none', ttft_ms: ttft, ttlt_ms: ttlt, duration_ms: duration, tokens_per_second: tps,
    finish_reason: isError ? null : 'stop', message_count: embedding ? null : 3, origin: pick(ORIGINS),
    api_key_id: skewed(KEYS), user: rand() < 0.1 ? null : skewed(USERS), tags: team === null ? {} : { team },
    cost_usd: usage && model !== null && PRICED.has(model) ? (input * 2.5 + output * 10) / 1e6 : null,
  };
}

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface BenchIndex extends IndexQueries {
  add(records: readonly RequestRecord[]): void;
  reserve?(rows: number): void;
  dropBefore?(cutoff: number): number;
  readonly size: number;
  readonly allocatedBytes: number;
}
type IndexClass = new () => BenchIndex;

/** The baseline commit's AnalyticsIndex, from its own copy of src/. */
async function baselineIndex(ref: string): Promise<IndexClass> {
  const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analytics-baseline-'));
  const tar = execFileSync('git', ['-C', root, 'archive', ref, 'src'], { maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const mod = (await import(pathToFileURL(path.join(dir, 'src/analytics/analytics-index.ts')).href)) as { AnalyticsIndex: IndexClass };
  return mod.AnalyticsIndex;
}

const BATCH = 10_000;

/** A new index of N records; add() wall-clock and CPU ms (records are made outside the timing). */
function fill(Index: IndexClass, reserve = false): { index: BenchIndex; addMs: number; addCpuMs: number } {
  const index = new Index();
  let addMs = 0;
  let addCpuMs = 0;
  if (reserve) index.reserve!(N);
  for (let i = 0; i < N; i += BATCH) {
    const batch: RequestRecord[] = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(record(j));
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    index.add(batch);
    const c = process.cpuUsage(c0);
    addMs += performance.now() - t0;
    addCpuMs += (c.user + c.system) / 1000;
  }
  return { index, addMs, addCpuMs };
}

/** Median and max wall-clock ms per call, and mean CPU ms per call (less sensitive to other load on the machine). */
function time(label: string, fn: () => unknown, runs = 15): number {
  for (let i = 0; i < 3; i++) fn();
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const cpuMs = (cpu.user + cpu.system) / 1000 / runs;
  console.log(
    `  ${label.padEnd(46)} median ${median.toFixed(1).padStart(6)} ms   max ${ms[ms.length - 1]!.toFixed(1).padStart(6)} ms   cpu ${cpuMs.toFixed(1).padStart(6)} ms`,
  );
  return median;
}

const all: StatsFilter = {};
const lastHour = { start: END - 3_600_000, end: END };
const autoBucket = Math.ceil((30 * DAY) / 500);
// The dashboard's "last 30 days": a window not aligned to anything.
const month = { start: START + 1_234_567, end: END + 1_234_567 };

/** Every query once (what allocates the scratch buffers), or timed with --queries. */
function queries(index: BenchIndex, timed: boolean): void {
  const run = (label: string, fn: () => unknown): void => {
    if (timed) time(label, fn);
    else fn();
  };
  run('aggregate (no filter)', () => index.aggregate(all));
  run('aggregate (model filter)', () => index.aggregate({ model: 'gpt-4o-mini' }));
  run('aggregate (tag filter)', () => index.aggregate({ tags: [['team', 'red']] }));
  run('aggregate (last hour)', () => index.aggregate(lastHour));
  run('aggregate (unknown model)', () => index.aggregate({ model: 'nope' }));
  run('aggregate (model+streamed+success+30d range)', () =>
    index.aggregate({ model: 'gpt-4o', streamed: true, status: 'success', start: START, end: END }));
  for (const dim of ['model', 'api_key_id', 'user', 'endpoint', 'streamed'] as const) run(`groupBy ${dim}`, () => index.groupBy(dim, all));
  run('aggregate (30 days, unaligned)', () => index.aggregate(month));
  run('groupBy streamed (30 days, unaligned)', () => index.groupBy('streamed', month));
  run('timeSpan (30 days, unaligned)', () => index.timeSpan(month));
  run('timeseries 30 days, unaligned, 6h buckets (the dashboard\'s, 121)', () => index.timeseries(month, 6 * 3_600_000));
  run(`timeseries 30 days, ${autoBucket} ms buckets (500)`, () => index.timeseries({ start: START, end: END }, autoBucket));
  run('timeseries 1 day, 1h buckets (24)', () => index.timeseries({ start: END - DAY, end: END }, 3_600_000));
  run('completionOverview (no filter)', () => index.completionOverview(all));
}

interface Figures {
  addMs: number[];
  addCpuMs: number[];
  afterAdd: number;
  afterQueries: number;
  allocated: number;
}

/** Builds an index of N records; memory figures are bytes per record (heap + array buffers, after GC). */
function measure(label: string, Index: IndexClass, figures: Figures, timed: boolean): BenchIndex {
  const before = memory();
  const { index, addMs, addCpuMs } = fill(Index);
  figures.addMs.push(addMs);
  figures.addCpuMs.push(addCpuMs);
  figures.afterAdd = (memory() - before) / N;
  console.log(`${label}: add() ${addMs.toFixed(0)} ms, cpu ${addCpuMs.toFixed(0)} ms (${Math.round(N / (addMs / 1000)).toLocaleString('en')} records/s, batches of ${BATCH})`);
  // The first group-by of each dimension also computes the sealed segments' group partials.
  const firsts = (['model', 'api_key_id', 'user', 'endpoint', 'streamed'] as const).map((d) => {
    const t0 = performance.now();
    index.groupBy(d, all);
    return `${d} ${(performance.now() - t0).toFixed(0)}`;
  });
  console.log(`${label}: first groupBy of each dimension (ms): ${firsts.join(', ')}`);
  if (timed) console.log(`${label} queries:`);
  queries(index, timed);
  figures.afterQueries = (memory() - before) / N;
  figures.allocated = index.allocatedBytes / N;
  return index;
}

console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`${N.toLocaleString('en')} records${baselineRef === null ? '' : `; baseline: ${baselineRef}`}`);
const Baseline = baselineRef === null ? null : await baselineIndex(baselineRef);
const base: Figures = { addMs: [], addCpuMs: [], afterAdd: 0, afterQueries: 0, allocated: 0 };
const cur: Figures = { addMs: [], addCpuMs: [], afterAdd: 0, afterQueries: 0, allocated: 0 };
const reserved = { addMs: [] as number[], addCpuMs: [] as number[] };
// Alternating builds, so that both see the same machine load; the best add() of each counts.
const rounds = 2;
let index: BenchIndex | null = null;
for (let round = 0; round < rounds; round++) {
  const last = round === rounds - 1;
  if (Baseline !== null) measure('baseline', Baseline, base, last && withQueries);
  index = null;
  index = measure('current ', AnalyticsIndex, cur, last && withQueries);
  if (!last) index = null;
  // The same, with the row count known up front (reserve): no column is copied while growing.
  const r = fill(AnalyticsIndex, true);
  reserved.addMs.push(r.addMs);
  reserved.addCpuMs.push(r.addCpuMs);
  console.log(`current with reserve(${N}): add() ${r.addMs.toFixed(0)} ms, cpu ${r.addCpuMs.toFixed(0)} ms`);
}
const best = (ms: number[]): number => Math.min(...ms);
const row = (label: string, f: (x: Figures) => string): void =>
  console.log(`${label.padEnd(34)} ${Baseline === null ? '' : `baseline ${f(base).padStart(8)}   `}current ${f(cur).padStart(8)}`);
console.log('');
row('add() of all records, best (ms)', (x) => best(x.addMs).toFixed(0));
row('add() per million (s)', (x) => ((best(x.addMs) / N) * 1000).toFixed(2));
row('add() per million, CPU (s)', (x) => ((best(x.addCpuMs) / N) * 1000).toFixed(2));
console.log(`${'  current with reserve(N) (s/M)'.padEnd(34)} wall ${((best(reserved.addMs) / N) * 1000).toFixed(2)}, CPU ${((best(reserved.addCpuMs) / N) * 1000).toFixed(2)}`);
row('memory after add (B/record)', (x) => x.afterAdd.toFixed(1));
row('memory after queries (B/record)', (x) => x.afterQueries.toFixed(1));
row('allocatedBytes (B/record)', (x) => x.allocated.toFixed(1));

// Retention: drop the oldest rows (a day's worth, the daily pruning; then most of the window).
const idx = index!;
console.log('');
for (const days of [1, 2, 3, 20]) {
  const cutoff = START + days * DAY;
  const sizeBefore = idx.size;
  const bytesBefore = idx.allocatedBytes;
  const t0 = performance.now();
  const dropped = idx.dropBefore!(cutoff);
  const ms = performance.now() - t0;
  const bytesAfter = idx.allocatedBytes;
  const t1 = performance.now();
  idx.aggregate(all);
  const firstQuery = performance.now() - t1;
  // After a large drop the columns move into smaller arrays over the next adds (8 MB each).
  const adds: string[] = [];
  for (let k = 0; k < 3; k++) {
    const t2 = performance.now();
    idx.add([]);
    adds.push((performance.now() - t2).toFixed(1));
  }
  console.log(
    `dropBefore(start + ${days} d): ${dropped.toLocaleString('en')} of ${sizeBefore.toLocaleString('en')} rows in ${ms.toFixed(1)} ms; ` +
      `allocated ${(bytesBefore / 1e6).toFixed(1)} → ${(bytesAfter / 1e6).toFixed(1)} MB, ${(idx.allocatedBytes / 1e6).toFixed(1)} after 3 adds ` +
      `(${adds.join(', ')} ms); next aggregate ${firstQuery.toFixed(1)} ms`,
  );
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
