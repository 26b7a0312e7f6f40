/**
 * Runs every query path on a small synthetic index a few times, once per process.
 *
 * Why: V8 allocates a function's type feedback only after it has run a few times, and the first
 * real query scans so many rows that its loop is compiled on the stack (OSR) before the code
 * around the loop has any feedback. That OSR code then deoptimizes on every later call, which
 * made large queries several times slower (Node 20). Warming up with small inputs gives every
 * path its feedback first.
 */
import type { RequestRecord } from '../domain/request-record.js';
import type { IndexQueries } from './types.js';

const ROWS = 640;
const ROUNDS = 4;
const T0 = 1_700_000_000_000;

function syntheticRecord(i: number): RequestRecord {
  const streamed = i % 2 === 0;
  const usage = i % 4 !== 3;
  const error = i % 5 === 4;
  return {
    start_time: T0 + i * 1000,
    method: 'POST',
    endpoint: i % 6 === 5 ? '/v1/embeddings' : '/v1/chat/completions',
    model: i % 7 === 6 ? null : `m${i % 3}`,
    response_model: null,
    status_code: error ? 500 : 200,
    is_error: error,
    error_type: error ? (i % 2 === 0 ? 'upstream_status' : 'upstream_timeout') : null,
    error_message: null,
    was_streamed: streamed,
    input_tokens: usage ? 10 + (i % 50) : null,
    output_tokens: usage ? 5 + (i % 30) : null,
    total_tokens: usage ? 15 + (i % 80) : null,
    cached_input_tokens: usage && i % 3 === 0 ? 4 : null,
    reasoning_tokens: usage && i % 3 === 1 ? 2 : null,
    usage_source: usage ? 'reported' : 'none',
    ttft_ms: streamed && i % 8 !== 0 ? 10 + (i % 97) * 1.5 : null,
    ttlt_ms: streamed && i % 8 !== 2 ? 200 + (i % 89) * 2.5 : null,
    duration_ms: 1 + ((i * 7919) % 1009) * 3.25,
    tokens_per_second: usage && i % 9 !== 0 ? 5 + ((i * 31) % 113) * 0.75 : null,
    finish_reason: null,
    message_count: null,
    origin: i % 3 === 0 ? null : `https://o${i % 2}.example`,
    api_key_id: i % 5 === 0 ? null : `key_${i % 4}`,
    user: i % 6 === 0 ? null : `u${i % 11}`,
    tags: i % 4 === 0 ? {} : { team: i % 2 === 0 ? 'a' : 'b', env: 'x' },
    cost_usd: usage && i % 7 !== 0 ? 0.001 * (i % 13) : null,
  };
}

/**
 * Appends synthetic rows to a fresh index a few times, in small batches: the write path's share
 * of the warm-up, cheap in memory, run when the first index is made (every service adds rows).
 */
export function warmUpAdd(create: () => { add(records: readonly RequestRecord[]): void }): void {
  const index = create();
  for (let round = 0; round < ROUNDS; round++) {
    const records: RequestRecord[] = [];
    for (let i = 0; i < ROWS / 4; i++) records.push(syntheticRecord(round * ROWS + i));
    index.add(records);
  }
}

/** Runs the queries on a fresh index from `create` (which must not itself warm up again). */
export function warmUp(create: () => IndexQueries & { add(records: readonly RequestRecord[]): void }): void {
  const index = create();
  const records: RequestRecord[] = [];
  for (let i = 0; i < ROWS; i++) records.push(syntheticRecord(i));
  index.add(records);
  const end = T0 + ROWS * 1000;
  for (let round = 0; round < ROUNDS; round++) {
    index.aggregate({});
    index.aggregate({ start: T0 + 5000, end: end - 5000, streamed: true, status: 'success', model: 'm1' });
    index.aggregate({ tags: [['team', 'a'], ['env', 'x']], status: 'error', streamed: false });
    index.aggregate({ apiKeyId: 'key_1', user: 'u3', endpoint: '/v1/chat/completions' });
    index.aggregate({ model: 'unknown-model' });
    for (const dimension of ['model', 'api_key_id', 'user', 'endpoint', 'streamed'] as const) index.groupBy(dimension, {});
    index.groupBy('model', { tags: [['team', 'b']] });
    index.timeseries({ start: T0, end }, 60_000);
    index.timeseries({ start: T0, end }, (ROWS * 1000) / 2);
    index.timeseries({ start: T0 - 3600_000, end: end + 3600_000, model: 'm2' }, 600_000);
    index.completionOverview({});
    index.completionOverview({ endpoint: '/v1/chat/completions', streamed: true });
    index.completionOverview({ endpoint: '/v1/embeddings' });
  }
}
