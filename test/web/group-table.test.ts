/** Breakdown tables: rows from /stats/by-*, columns, sorting with missing values last. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  errorRate, GROUP_COLUMNS, GROUP_KINDS, nextSort, sortGroupRows, toGroupRows, type GroupRow,
} from '../../web/src/lib/group-table.js';

const dist = (v: number | null) => ({ avg: v, p50: v, p95: v, p99: v });

function entry(model: string | null, requests: number, failed: number, ttft: number | null, cost = 0, priced = 0) {
  return {
    model, requests, successful_requests: requests - failed, failed_requests: failed, errors: failed, input_tokens: requests * 10,
    output_tokens: requests * 20, total_tokens: requests * 30, cached_input_tokens: 0, reasoning_tokens: 0, avg_tokens_per_request: 30,
    requests_with_usage: requests, cost_usd: cost, priced_requests: priced, avg_duration_ms: 100, avg_ttft_ms: ttft,
    avg_tokens_per_second: 20, duration_ms: dist(100), ttft_ms: dist(ttft),
  };
}

const BODY = { models: [entry('b', 10, 1, 300), entry('a', 10, 0, null, 0.5, 10), entry('c', 4, 2, 100), entry(null, 2, 2, null)] };
const keys = (rows: GroupRow[]) => rows.map((r) => r.key);

describe('group tables', () => {
  it('each tab reads its endpoint and list, and filters by its key field', () => {
    assert.deepEqual(
      Object.values(GROUP_KINDS).map((k) => [k.endpoint, k.list, k.field]),
      [['by-model', 'models', 'model'], ['by-key', 'keys', 'api_key_id'], ['by-user', 'users', 'user'], ['by-endpoint', 'endpoints', 'endpoint']],
    );
    const users = toGroupRows({ users: [{ ...entry(null, 1, 0, null), user: 'alice' }] }, GROUP_KINDS.users);
    assert.equal(users[0]!.key, 'alice');
  });

  it('rows keep the API order (most requests first) and their key', () => {
    assert.deepEqual(keys(toGroupRows(BODY, GROUP_KINDS.models)), ['b', 'a', 'c', null]);
    assert.deepEqual(toGroupRows({}, GROUP_KINDS.models), []);
  });

  it('columns: requests, error rate, tokens, cost (missing when unpriced), latency and TTFT percentiles, speed', () => {
    const [b, a] = toGroupRows(BODY, GROUP_KINDS.models);
    const shown = (row: GroupRow) => Object.fromEntries(GROUP_COLUMNS.map((c) => [c.id, c.format(c.value(row))]));
    assert.deepEqual(shown(b!), {
      requests: '10', 'error-rate': '10.0%', 'input-tokens': '100', 'output-tokens': '200', cost: '—', 'duration-p50': '100 ms',
      'duration-p95': '100 ms', 'ttft-p50': '300 ms', 'ttft-p95': '300 ms', 'tokens-per-second': '20.0 tok/s',
    });
    assert.equal(shown(a!).cost, '$0.50');
    assert.equal(errorRate({ ...b!, requests: 0 }), null);
  });

  it('sorts by any column either way, stable, rows without a value last both ways', () => {
    const rows = toGroupRows(BODY, GROUP_KINDS.models);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'requests', direction: 'desc' })), ['b', 'a', 'c', null]);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'requests', direction: 'asc' })), [null, 'c', 'b', 'a']);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'ttft-p50', direction: 'asc' })), ['c', 'b', 'a', null]);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'ttft-p50', direction: 'desc' })), ['b', 'c', 'a', null]);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'error-rate', direction: 'desc' })), [null, 'c', 'b', 'a']);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'key', direction: 'asc' })), ['a', 'b', 'c', null]);
    assert.deepEqual(keys(sortGroupRows(rows, { column: 'key', direction: 'desc' })), ['c', 'b', 'a', null]);
    assert.deepEqual(keys(rows), ['b', 'a', 'c', null], 'the input is not reordered');
  });

  it('a heading click sorts a new column descending (names ascending) and flips the same one', () => {
    assert.deepEqual(nextSort({ column: 'requests', direction: 'desc' }, 'requests'), { column: 'requests', direction: 'asc' });
    assert.deepEqual(nextSort({ column: 'requests', direction: 'asc' }, 'cost'), { column: 'cost', direction: 'desc' });
    assert.deepEqual(nextSort({ column: 'requests', direction: 'desc' }, 'key'), { column: 'key', direction: 'asc' });
  });
});
