/**
 * Seeds a SQLite database with realistic request rows (models, endpoints, streams, errors, keys,
 * users, a tag), deterministic from a fixed seed: shared by the stats-api and cold-start benches.
 */
import type { RequestRecord } from '../src/domain/request-record.js';
import { openStore } from '../src/store/open-store.js';

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same data. */
export function random(seed: number): () => number {
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

export function makeRecord(rnd: () => number, i: number, rows: number, start: number, end: number): RequestRecord {
  const endpoint = ENDPOINTS[Math.floor(rnd() * ENDPOINTS.length)] as string;
  const generating = endpoint.endsWith('completions');
  const streamed = generating && rnd() < 0.6;
  const isError = rnd() < 0.05;
  const input = Math.floor(Math.exp(4 + rnd() * 4));
  const output = generating ? Math.floor(Math.exp(3 + rnd() * 4)) : 0;
  const duration = Math.exp(5 + rnd() * 4 + rnd());
  const ttft = streamed ? duration * (0.05 + rnd() * 0.3) : null;
  return {
    start_time: start + Math.floor((i / rows) * (end - start)),
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

/** Writes `rows` realistic rows spread evenly over [start, end) into a new SQLite file. */
export async function seedHistory(dbPath: string, rows: number, start: number, end: number): Promise<void> {
  const ROWS = rows;
  const store = openStore({ dbPath });
  const rnd = random(42);
  const t0 = performance.now();
  for (let i = 0; i < ROWS; i += 10_000) {
    const batch: RequestRecord[] = [];
    for (let j = i; j < Math.min(i + 10_000, ROWS); j++) batch.push(makeRecord(rnd, j, rows, start, end));
    await store.recordBatch(batch);
  }
  await store.close();
  console.log(`seeded ${ROWS} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

