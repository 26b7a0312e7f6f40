/**
 * `/stats/summary`, `/stats/by-{model,key,user,endpoint}` and `/stats/by-streamed`: exact figures on a hand-built set
 * (nearest-rank percentiles, cost sums), the reference model on a generated one, and the index
 * being refreshed from the store before every aggregate query.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeFailedRecord, makeRecord } from '../contract/records.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import {
  type Api, assertClose, DAY0, generateRecords, KEY_A, KEY_B, refGroups, refStreamSplit, refSummary, startApi, NOT_PARTIAL,
} from '../helpers/analytics-harness.js';

/** A permutation of 1..20, so nearest-rank p50/p95/p99 are the 10th, 19th and 20th values. */
const DURATIONS = [7, 3, 15, 1, 20, 11, 9, 2, 18, 5, 13, 6, 17, 4, 19, 8, 12, 10, 16, 14];
const COSTS: Record<number, number> = { 0: 0.25, 1: 0.5, 2: 0.125 };

function handBuilt(): RequestRecord[] {
  return DURATIONS.map((duration_ms, i) => {
    const common = {
      start_time: DAY0 + i * 1000,
      model: i === 19 ? null : 'model-x',
      duration_ms,
      api_key_id: i < 5 ? KEY_A : null,
      user: i % 2 === 0 ? 'even' : 'odd',
    };
    if (i >= 18) return makeFailedRecord(common);
    return makeRecord({
      ...common,
      was_streamed: i < 10,
      ttft_ms: i < 10 ? 10 * (i + 1) : null,
      input_tokens: 100,
      output_tokens: 50,
      total_tokens: 150,
      tokens_per_second: i + 1,
      cached_input_tokens: i === 0 ? 40 : i === 1 ? 10 : null,
      reasoning_tokens: i === 2 ? 7 : null,
      cost_usd: COSTS[i] ?? null,
    });
  });
}

describe('aggregates on a hand-built set', () => {
  let api: Api;
  before(async () => {
    api = await startApi(handBuilt());
  });
  after(() => api.close());

  it('GET /stats/summary: LM Studio fields, extras, cost sum, nearest-rank percentiles', async () => {
    assert.deepEqual(await api.get('/stats/summary'), {
      status: 200,
      body: {
        total_requests: 20,
        successful_requests: 18,
        failed_requests: 2,
        total_input_tokens: 1800,
        total_output_tokens: 900,
        total_tokens: 2700,
        average_input_tokens: 100,
        average_output_tokens: 50,
        total_duration_ms: 210,
        requests_with_usage: 18,
        streamed_requests: 10,
        average_duration_ms: 10.5,
        average_ttft_ms: 55,
        average_tokens_per_second: 9.5,
        cached_input_tokens: 50,
        reasoning_tokens: 7,
        cost_usd: 0.875,
        priced_requests: 3,
        duration_ms: { avg: 10.5, p50: 10, p95: 19, p99: 20 },
        ttft_ms: { avg: 55, p50: 50, p95: 100, p99: 100 },
        tokens_per_second: { avg: 9.5, p50: 9, p95: 18, p99: 18 },
        first_request_at: '2024-01-15T00:00:00.000Z',
        last_request_at: '2024-01-15T00:00:19.000Z',
        ...NOT_PARTIAL,
      },
    });
  });

  it('GET /stats/by-model: most requests first, the null model last', async () => {
    const { status, body } = await api.get('/stats/by-model');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['models', 'partial', 'retained_from']);
    assert.deepEqual(body.models.map((m: { model: string | null }) => m.model), ['model-x', null]);
    assert.deepEqual(body.models[1], {
      model: null, requests: 1, successful_requests: 0, failed_requests: 1, errors: 1,
      input_tokens: 0, output_tokens: 0, total_tokens: 0, cached_input_tokens: 0, reasoning_tokens: 0,
      avg_tokens_per_request: 0, requests_with_usage: 0, cost_usd: 0, priced_requests: 0,
      avg_duration_ms: 14, avg_ttft_ms: null, avg_tokens_per_second: null,
      duration_ms: { avg: 14, p50: 14, p95: 14, p99: 14 },
      ttft_ms: { avg: null, p50: null, p95: null, p99: null },
    });
    const x = body.models[0];
    assert.equal(x.requests, 19);
    assert.equal(x.avg_tokens_per_request, 150);
    assert.equal(x.cost_usd, 0.875);
    assert.equal(x.priced_requests, 3);
    // Durations without the 14: 1..20 \ {14}; the 10th is 10, the 19th (ceil(18.05)) is 20.
    assert.deepEqual(x.duration_ms, { avg: 196 / 19, p50: 10, p95: 20, p99: 20 });
  });

  it('GET /stats/by-key: api_key_id field, the null key after the rest', async () => {
    const { body } = await api.get('/stats/by-key');
    assert.deepEqual(body.keys.map((k: { api_key_id: string | null; requests: number }) => [k.api_key_id, k.requests]), [
      [null, 15],
      [KEY_A, 5],
    ]);
    assert.equal(body.keys[1].cost_usd, 0.875);
  });

  it('GET /stats/by-user: ties ordered by key', async () => {
    const { body } = await api.get('/stats/by-user');
    assert.deepEqual(body.users.map((u: { user: string; requests: number }) => [u.user, u.requests]), [
      ['even', 10],
      ['odd', 10],
    ]);
    assert.deepEqual(body.users[0].ttft_ms, { avg: 50, p50: 50, p95: 90, p99: 90 });
  });

  it('GET /stats/by-endpoint', async () => {
    const { body } = await api.get('/stats/by-endpoint');
    assert.deepEqual(Object.keys(body), ['endpoints', 'partial', 'retained_from']);
    assert.equal(body.endpoints.length, 1);
    assert.equal(body.endpoints[0].endpoint, '/v1/chat/completions');
    assert.equal(body.endpoints[0].requests, 20);
  });

  it('GET /stats/by-streamed: both sides, a side nothing matched as zeros and nulls', async () => {
    const { body } = await api.get('/stats/by-streamed');
    assert.deepEqual(Object.keys(body), ['streamed', 'non_streamed', 'partial', 'retained_from']);
    const figures = (side: Record<string, unknown>) =>
      [side.requests, side.successful_requests, side.failed_requests, side.requests_with_usage, side.avg_ttft_ms];
    // Rows 0–9 streamed (TTFT 10…100 ms); 10–17 not, 18 and 19 failed and not streamed.
    assert.deepEqual(figures(body.streamed), [10, 10, 0, 10, 55]);
    assert.deepEqual(figures(body.non_streamed), [10, 8, 2, 8, null]);
    assert.equal(body.streamed.input_tokens + body.non_streamed.input_tokens, 1800);
    const onlyStreamed = (await api.get('/stats/by-streamed?streamed=true')).body;
    assert.deepEqual(onlyStreamed.streamed, body.streamed);
    assert.deepEqual(figures(onlyStreamed.non_streamed), [0, 0, 0, 0, null]);
    assert.deepEqual(onlyStreamed.non_streamed.duration_ms, { avg: null, p50: null, p95: null, p99: null });
  });

  it('a filter that matches nothing gives zeros, nulls and empty lists', async () => {
    assert.deepEqual((await api.get('/stats/summary?model=nope')).body, {
      total_requests: 0, successful_requests: 0, failed_requests: 0, total_input_tokens: 0, total_output_tokens: 0,
      total_tokens: 0, average_input_tokens: 0, average_output_tokens: 0, total_duration_ms: 0, requests_with_usage: 0,
      streamed_requests: 0, average_duration_ms: null, average_ttft_ms: null, average_tokens_per_second: null,
      cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, priced_requests: 0,
      duration_ms: { avg: null, p50: null, p95: null, p99: null },
      ttft_ms: { avg: null, p50: null, p95: null, p99: null },
      tokens_per_second: { avg: null, p50: null, p95: null, p99: null },
      first_request_at: null, last_request_at: null, ...NOT_PARTIAL,
    });
    for (const [route, list] of [['by-model', 'models'], ['by-key', 'keys'], ['by-user', 'users'], ['by-endpoint', 'endpoints']]) {
      assert.deepEqual((await api.get(`/stats/${route}?user=nobody`)).body, { [list!]: [], ...NOT_PARTIAL });
    }
  });

  it('rows recorded after a query are counted by the next one (refresh before every aggregate)', async () => {
    assert.equal((await api.get('/stats/summary')).body.total_requests, 20);
    await api.add([makeRecord({ start_time: DAY0 + 60_000, model: 'model-late', cost_usd: 0.0625, duration_ms: 21 })]);
    const summary = (await api.get('/stats/summary')).body;
    assert.equal(summary.total_requests, 21);
    assert.equal(summary.cost_usd, 0.9375);
    assert.equal(summary.total_duration_ms, 231);
    assert.deepEqual(
      (await api.get('/stats/by-model')).body.models.map((m: { model: string | null }) => m.model),
      ['model-x', 'model-late', null],
    );
  });
});

describe('aggregates on a generated set', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(800, 7));
  });
  after(() => api.close());

  it('the data has costs with nulls, several keys, users and endpoints', () => {
    const records = api.rows.map((r) => r.record);
    assert.ok(records.some((r) => r.cost_usd === null) && records.some((r) => r.cost_usd !== null));
    assert.ok(records.some((r) => r.api_key_id === KEY_B) && records.some((r) => r.api_key_id === null));
  });

  it('GET /stats/summary matches the reference, percentiles included', async () => {
    assertClose((await api.get('/stats/summary')).body, refSummary(api.rows));
  });

  for (const [route, list, dimension] of [
    ['by-model', 'models', 'model'],
    ['by-key', 'keys', 'api_key_id'],
    ['by-user', 'users', 'user'],
    ['by-endpoint', 'endpoints', 'endpoint'],
  ] as const) {
    it(`GET /stats/${route} matches the reference (order, figures, percentiles)`, async () => {
      assertClose((await api.get(`/stats/${route}`)).body, { [list]: refGroups(api.rows, dimension), ...NOT_PARTIAL });
    });
    it(`GET /stats/${route}?streamed=true&tag=env:prod matches the reference`, async () => {
      const filter = { streamed: true, tags: [['env', 'prod']] as const };
      assertClose((await api.get(`/stats/${route}?streamed=true&tag=env:prod`)).body, { [list]: refGroups(api.rows, dimension, filter), ...NOT_PARTIAL });
    });
  }

  it('GET /stats/by-streamed matches the reference, unfiltered and filtered', async () => {
    assertClose((await api.get('/stats/by-streamed')).body, refStreamSplit(api.rows));
    const filter = { model: 'model-a', tags: [['env', 'prod']] as const };
    assertClose((await api.get('/stats/by-streamed?model=model-a&tag=env:prod')).body, refStreamSplit(api.rows, filter));
  });

  it('cost sums per model add up to the total', async () => {
    const total = (await api.get('/stats/summary')).body.cost_usd as number;
    const models = (await api.get('/stats/by-model')).body.models as Array<{ cost_usd: number; priced_requests: number; model: string }>;
    assertClose(models.reduce((a, m) => a + m.cost_usd, 0), total);
    assert.deepEqual(
      models.filter((m) => m.priced_requests > 0).map((m) => m.model).sort(),
      ['model-a', 'model-b'],
    );
  });
});
