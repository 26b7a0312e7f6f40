/**
 * Timing check for the analytics index (not a test): fills 1,000,000 realistic records and prints
 * milliseconds per call of each aggregate query, add() throughput and memory per record.
 *
 *   npx tsx bench/analytics-index.ts [records]
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { AnalyticsIndex } from '../src/analytics/analytics-index.js';
import type { StatsFilter } from '../src/domain/stats-filter.js';
import type { ErrorType, RequestRecord } from '../src/domain/request-record.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = Number(process.argv[2] ?? 1_000_000);
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

function record(i: number): RequestRecord {
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
  const ttlt = ttft === null ? null : Math.max(ttft, duration - 1);
  const window = ttft !== null && ttlt !== null ? ttlt - ttft : duration;
  const tps = usage && output > 0 && window > 0 ? (output / window) * 1000 : null;
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

console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const before = memory();
const index = new AnalyticsIndex();
const BATCH = 10_000;
let addMs = 0;
for (let i = 0; i < N; i += BATCH) {
  const batch: RequestRecord[] = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) batch.push(record(j));
  const t0 = performance.now();
  index.add(batch);
  addMs += performance.now() - t0;
}
const afterAdd = memory();
console.log(`records: ${index.size.toLocaleString('en')}`);
console.log(`add(): ${addMs.toFixed(0)} ms total, ${Math.round(N / (addMs / 1000)).toLocaleString('en')} records/s (batches of ${BATCH})`);
console.log(`memory after add: ${((afterAdd - before) / N).toFixed(1)} bytes/record (heap + array buffers; columns allocate ${(index.allocatedBytes / N).toFixed(1)})`);

/** Median and max wall-clock ms per call, and mean CPU ms per call (less sensitive to other load on the machine). */
function time(label: string, fn: () => unknown, runs = 15): void {
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
    `${label.padEnd(46)} median ${median.toFixed(1).padStart(6)} ms   max ${ms[ms.length - 1]!.toFixed(1).padStart(6)} ms   cpu ${cpuMs.toFixed(1).padStart(6)} ms`,
  );
}

const all: StatsFilter = {};
const lastHour = { start: END - 3_600_000, end: END };
const autoBucket = Math.ceil((30 * DAY) / 500);
time('aggregate (no filter)', () => index.aggregate(all));
time('aggregate (model filter)', () => index.aggregate({ model: 'gpt-4o-mini' }));
time('aggregate (tag filter)', () => index.aggregate({ tags: [['team', 'red']] }));
time('aggregate (last hour)', () => index.aggregate(lastHour));
time('aggregate (unknown model)', () => index.aggregate({ model: 'nope' }));
time('aggregate (model+streamed+success+30d range)', () =>
  index.aggregate({ model: 'gpt-4o', streamed: true, status: 'success', start: START, end: END }));
for (const dim of ['model', 'api_key_id', 'user', 'endpoint', 'streamed'] as const) time(`groupBy ${dim}`, () => index.groupBy(dim, all));
// The dashboard's "last 30 days": a window not aligned to anything.
const month = { start: START + 1_234_567, end: END + 1_234_567 };
time('aggregate (30 days, unaligned)', () => index.aggregate(month));
time('groupBy streamed (30 days, unaligned)', () => index.groupBy('streamed', month));
time('timeSpan (30 days, unaligned)', () => index.timeSpan(month));
time('timeseries 30 days, unaligned, 6h buckets (the dashboard\'s, 121)', () => index.timeseries(month, 6 * 3_600_000));
time(`timeseries 30 days, ${autoBucket} ms buckets (500)`, () => index.timeseries({ start: START, end: END }, autoBucket));
time('timeseries 1 day, 1h buckets (24)', () => index.timeseries({ start: END - DAY, end: END }, 3_600_000));
time('completionOverview (no filter)', () => index.completionOverview(all));
const afterQueries = memory();
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`memory after queries: ${((afterQueries - before) / N).toFixed(1)} bytes/record (incl. reusable scratch buffers)`);
