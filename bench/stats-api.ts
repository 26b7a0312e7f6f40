/**
 * Seeds a SQLite database with N realistic request rows (default 1,000,000 over 30 days), starts
 * the service on it, and times every stats endpoint over HTTP (median and max of repeated calls).
 *
 *   npx tsx bench/stats-api.ts [rows] [repeats]
 *
 * Seeding is reused: the database is kept in /tmp/lmp-bench-<rows>.db between runs.
 */
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { startService } from '../src/service.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { RequestRecord } from '../src/domain/request-record.js';
import { testConfig } from '../test/helpers/service.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REPEATS = Number(process.argv[3] ?? 7);
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);
const START = END - 30 * DAY;

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same data. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODELS = ['llama3.1:8b', 'qwen2.5:14b', 'gpt-4o-mini', 'gpt-4o', 'mistral-small', 'deepseek-r1:32b', 'gemma2:9b', 'phi4'];
const ENDPOINTS = ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models'];
const TEAMS = ['red', 'blue', 'green'];

function makeRecord(rnd: () => number, i: number): RequestRecord {
  const endpoint = ENDPOINTS[Math.floor(rnd() * ENDPOINTS.length)] as string;
  const generating = endpoint.endsWith('completions');
  const streamed = generating && rnd() < 0.6;
  const isError = rnd() < 0.05;
  const input = Math.floor(Math.exp(4 + rnd() * 4));
  const output = generating ? Math.floor(Math.exp(3 + rnd() * 4)) : 0;
  const duration = Math.exp(5 + rnd() * 4 + rnd());
  const ttft = streamed ? duration * (0.05 + rnd() * 0.3) : null;
  return {
    start_time: START + Math.floor((i / ROWS) * 30 * DAY),
    method: endpoint === '/v1/models' ? 'GET' : 'POST',
    endpoint,
    model: endpoint === '/v1/models' ? null : (MODELS[Math.floor(rnd() * MODELS.length)] as string),
    response_model: null,
    status_code: isError ? 500 : 200,
    is_error: isError,
    error_type: isError ? 'upstream_status' : null,
    error_message: isError ? 'boom' : null,
    was_streamed: streamed,
    input_tokens: isError ? null : input,
    output_tokens: isError ? null : output,
    total_tokens: isError ? null : input + output,
    cached_input_tokens: null,
    reasoning_tokens: null,
    usage_source: isError ? 'none' : 'reported',
    ttft_ms: ttft,
    ttlt_ms: ttft === null ? null : duration - 1,
    duration_ms: duration,
    tokens_per_second: isError || output === 0 ? null : output / (duration / 1000),
    finish_reason: isError ? null : 'stop',
    message_count: generating ? 1 + Math.floor(rnd() * 10) : null,
    origin: rnd() < 0.1 ? 'https://chat.example' : null,
    api_key_id: `key_${(Math.floor(rnd() * 20) + 0x1000).toString(16).padStart(16, '0')}`,
    user: `user-${Math.floor(rnd() * 200)}`,
    tags: { team: TEAMS[Math.floor(rnd() * TEAMS.length)] as string },
    cost_usd: isError ? null : (input * 0.15 + output * 0.6) / 1e6,
  };
}

async function seed(dbPath: string): Promise<void> {
  const store = openSqliteStore(dbPath);
  const rnd = random(42);
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += 10_000) {
    const batch: RequestRecord[] = [];
    for (let j = i; j < Math.min(i + 10_000, ROWS); j++) batch.push(makeRecord(rnd, j));
    await store.recordBatch(batch);
  }
  await store.close();
  console.log(`seeded ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function time(url: string): Promise<{ median: number; max: number; status: number }> {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    status = res.status;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] as number, max: times[times.length - 1] as number, status };
}

async function main(): Promise<void> {
  const dbPath = `/tmp/lmp-bench-${ROWS}.db`;
  if (!existsSync(dbPath)) await seed(dbPath);
  const dir = '/tmp';
  const config = testConfig({ upstreamUrl: 'http://127.0.0.1:9', dbPath, flushIntervalMs: 200 }, dir);
  const t0 = performance.now();
  const service = await startService(config, pino({ level: 'warn' }));
  const first = await fetch(`${service.adminUrl}/stats/summary`);
  await first.arrayBuffer();
  console.log(`service started and the admin thread's analytics loaded the history in ${((performance.now() - t0) / 1000).toFixed(1)} s (first /stats/summary answered)`);
  const day = new Date(END - DAY).toISOString();
  const hour = new Date(END - 3_600_000).toISOString();
  // Not a round day, as the dashboard's "last 30 days" never is.
  const month = new Date(START + 1234567).toISOString();
  const end = new Date(END + 1234567).toISOString();
  const endpoints = [
    '/stats/summary',
    `/stats/summary?start=${hour}`,
    '/stats/summary?model=gpt-4o&streamed=true',
    '/stats/summary?tag=team:red&status=error',
    '/stats/by-model',
    '/stats/by-key',
    '/stats/by-user',
    '/stats/by-endpoint',
    '/stats/by-streamed',
    `/stats/timeseries?start=${new Date(START).toISOString()}&end=${new Date(END).toISOString()}`,
    `/stats/timeseries?start=${day}&end=${new Date(END).toISOString()}&bucket=5m`,
    '/stats/recent?limit=100',
    '/stats/recent?limit=100&offset=500000',
    '/stats/recent?limit=100&model=phi4&user=user-7',
    '/stats/recent?limit=100&tag=team:blue',
    '/stats/requests/500000',
    '/metrics',
    `/metrics?start=${day}`,
    '/completion_requests?limit=100',
    // The dashboard's 30-day overview: its summary, the previous period's, the stream split, the charts.
    `/stats/summary?start=${month}&end=${end}`,
    `/stats/summary?start=${new Date(START - 30 * DAY).toISOString()}&end=${month}`,
    `/stats/by-streamed?start=${month}&end=${end}`,
    `/stats/timeseries?start=${month}&end=${end}`,
  ];
  console.log(`| endpoint (${ROWS.toLocaleString('en-US')} rows) | median ms | max ms |`);
  console.log('|---|---|---|');
  for (const path of endpoints) {
    const r = await time(`${service.adminUrl}${path}`);
    console.log(`| \`${path.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…')}\` | ${r.median.toFixed(1)} | ${r.max.toFixed(1)} |${r.status === 200 ? '' : ` status ${r.status}`}`);
  }
  await service.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
