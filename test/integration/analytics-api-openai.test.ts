/**
 * The OpenAI LLM metrics proxy's endpoints: `/metrics` JSON and `/completion_requests`, exact
 * shapes on a hand-built set (completion endpoints only), with filters and validation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { makeFailedRecord, makeRecord } from '../contract/records.js';
import { type Api, DAY0, NOT_PARTIAL, paramError, startApi } from '../helpers/analytics-harness.js';

const NOW = Date.UTC(2024, 0, 20, 8, 30, 0, 0);
const APP = 'https://app.example';
const LOCAL = 'http://localhost:3000';

const RECORDS: RequestRecord[] = [
  // 1: streamed chat, usage reported
  makeRecord({
    start_time: DAY0 + 1000, was_streamed: true, model: 'model-a', origin: APP, input_tokens: 10, output_tokens: 20, total_tokens: 30,
    ttft_ms: 100, ttlt_ms: 300, duration_ms: 400, tokens_per_second: 100, message_count: 3,
  }),
  // 2: streamed chat, no usage
  makeRecord({
    start_time: DAY0 + 2000, was_streamed: true, model: 'model-b', origin: null, input_tokens: null, output_tokens: null,
    total_tokens: null, usage_source: 'none', ttft_ms: 50, ttlt_ms: 250, duration_ms: 300, tokens_per_second: null, message_count: 1,
  }),
  // 3: streamed chat, error inside the stream
  makeFailedRecord({
    start_time: DAY0 + 3000, was_streamed: true, model: 'model-a', origin: APP, status_code: 200, error_type: 'stream_error',
    error_message: 'overloaded', ttft_ms: 90, duration_ms: 500, message_count: 2,
  }),
  // 4: non-streamed completions
  makeRecord({
    start_time: DAY0 + 4000, endpoint: '/v1/completions', model: 'model-a', origin: LOCAL, input_tokens: 5, output_tokens: 15,
    total_tokens: 20, duration_ms: 200, tokens_per_second: 75,
  }),
  // 5: non-streamed responses, upstream 500, no model
  makeFailedRecord({ start_time: DAY0 + 5000, endpoint: '/v1/responses', model: null, origin: null, status_code: 500, duration_ms: 100 }),
  // 6, 7: not completion endpoints
  makeRecord({ start_time: DAY0 + 6000, endpoint: '/v1/embeddings', model: 'model-e', input_tokens: 8, output_tokens: 0, total_tokens: 8, duration_ms: 50 }),
  makeRecord({ start_time: DAY0 + 7000, method: 'GET', endpoint: '/v1/models', model: null, usage_source: 'none', input_tokens: null, output_tokens: null, total_tokens: null, duration_ms: 5 }),
  // 8: non-streamed messages, timeout
  makeFailedRecord({
    start_time: DAY0 + 8000, endpoint: '/v1/messages', model: 'model-b', origin: APP, status_code: 504, error_type: 'upstream_timeout',
    duration_ms: 900, message_count: 4,
  }),
];

const NO_TOKENS = { reported_count: 0, total: 0, prompt_total: 0, completion_total: 0, avg_tokens_per_second: null };

describe('OpenAI metrics proxy endpoints', () => {
  let api: Api;
  before(async () => {
    api = await startApi(RECORDS, { now: () => NOW });
  });
  after(() => api.close());

  it('GET /metrics: the exact body, completion endpoints only', async () => {
    assert.deepEqual(await api.get('/metrics'), {
      status: 200,
      body: {
        timestamp: '2024-01-20T08:30:00.000Z',
        requests: {
          total: { total: 6, successful: 3, failed: 3, avg_response_time_ms: 400 },
          streamed: {
            total: 3, successful: 2, failed: 1,
            tokens: { reported_count: 1, total: 30, prompt_total: 10, completion_total: 20, avg_tokens_per_second: 100 },
            error_types: { stream_error: 1 },
            avg_response_time_ms: 400,
            avg_time_to_first_token_ms: 80,
            avg_time_to_last_token_ms: 275,
            avg_completion_duration_ms: 200,
          },
          non_streamed: {
            total: 3, successful: 1, failed: 2,
            tokens: { reported_count: 1, total: 20, prompt_total: 5, completion_total: 15, avg_tokens_per_second: 75 },
            error_types: { upstream_status: 1, upstream_timeout: 1 },
            avg_response_time_ms: 400,
          },
        },
        model_distribution: { 'model-a': 3, 'model-b': 2, unknown: 1 },
        origin_distribution: { [APP]: 3, [LOCAL]: 1, unknown: 2 },
        ...NOT_PARTIAL,
      },
    });
  });

  it('GET /metrics?start&end: only that range (end exclusive)', async () => {
    const { body } = await api.get('/metrics?start=2024-01-15T00:00:03Z&end=2024-01-15T01:00:06%2B01:00');
    assert.deepEqual(body.requests, {
      total: { total: 3, successful: 1, failed: 2, avg_response_time_ms: 800 / 3 },
      streamed: {
        total: 1, successful: 0, failed: 1, tokens: NO_TOKENS, error_types: { stream_error: 1 }, avg_response_time_ms: 500,
        avg_time_to_first_token_ms: 90, avg_time_to_last_token_ms: null, avg_completion_duration_ms: null,
      },
      non_streamed: {
        total: 2, successful: 1, failed: 1,
        tokens: { reported_count: 1, total: 20, prompt_total: 5, completion_total: 15, avg_tokens_per_second: 75 },
        error_types: { upstream_status: 1 },
        avg_response_time_ms: 150,
      },
    });
    assert.deepEqual(body.model_distribution, { 'model-a': 2, unknown: 1 });
    assert.deepEqual(body.origin_distribution, { [APP]: 1, [LOCAL]: 1, unknown: 1 });
  });

  it('GET /metrics with other filters, and with nothing matching', async () => {
    const streamedA = (await api.get('/metrics?streamed=true&model=model-a')).body;
    assert.deepEqual(streamedA.requests.total, { total: 2, successful: 1, failed: 1, avg_response_time_ms: 450 });
    assert.equal(streamedA.requests.non_streamed.total, 0);
    // An endpoint filter naming a non-completion endpoint matches nothing.
    assert.deepEqual((await api.get('/metrics?endpoint=/v1/embeddings')).body, {
      timestamp: '2024-01-20T08:30:00.000Z',
      requests: {
        total: { total: 0, successful: 0, failed: 0, avg_response_time_ms: 0 },
        streamed: {
          total: 0, successful: 0, failed: 0, tokens: NO_TOKENS, error_types: {}, avg_response_time_ms: 0,
          avg_time_to_first_token_ms: null, avg_time_to_last_token_ms: null, avg_completion_duration_ms: null,
        },
        non_streamed: { total: 0, successful: 0, failed: 0, tokens: NO_TOKENS, error_types: {}, avg_response_time_ms: 0 },
      },
      model_distribution: {},
      origin_distribution: {},
      ...NOT_PARTIAL,
    });
  });

  const rows = [
    {
      id: 8, timestamp: '2024-01-15T00:00:08.000Z', is_streaming: false, success: false, error_type: 'upstream_timeout', message_count: 4,
      timing: { time_to_first_token_ms: null, time_to_last_token_ms: null, response_time_ms: 900 },
      tokens: { total: null, prompt: null, completion: null }, model: 'model-b', origin: APP,
    },
    {
      id: 5, timestamp: '2024-01-15T00:00:05.000Z', is_streaming: false, success: false, error_type: 'upstream_status', message_count: null,
      timing: { time_to_first_token_ms: null, time_to_last_token_ms: null, response_time_ms: 100 },
      tokens: { total: null, prompt: null, completion: null }, model: null, origin: null,
    },
    {
      id: 4, timestamp: '2024-01-15T00:00:04.000Z', is_streaming: false, success: true, error_type: null, message_count: null,
      timing: { time_to_first_token_ms: null, time_to_last_token_ms: null, response_time_ms: 200 },
      tokens: { total: 20, prompt: 5, completion: 15 }, model: 'model-a', origin: LOCAL,
    },
    {
      id: 3, timestamp: '2024-01-15T00:00:03.000Z', is_streaming: true, success: false, error_type: 'stream_error', message_count: 2,
      timing: { time_to_first_token_ms: 90, time_to_last_token_ms: null, response_time_ms: 500 },
      tokens: { total: null, prompt: null, completion: null }, model: 'model-a', origin: APP,
    },
    {
      id: 2, timestamp: '2024-01-15T00:00:02.000Z', is_streaming: true, success: true, error_type: null, message_count: 1,
      timing: { time_to_first_token_ms: 50, time_to_last_token_ms: 250, response_time_ms: 300 },
      tokens: { total: null, prompt: null, completion: null }, model: 'model-b', origin: null,
    },
    {
      id: 1, timestamp: '2024-01-15T00:00:01.000Z', is_streaming: true, success: true, error_type: null, message_count: 3,
      timing: { time_to_first_token_ms: 100, time_to_last_token_ms: 300, response_time_ms: 400 },
      tokens: { total: 30, prompt: 10, completion: 20 }, model: 'model-a', origin: APP,
    },
  ];

  it('GET /completion_requests: a JSON array, newest first, completion endpoints only, exact rows', async () => {
    const res = await fetch(`${api.baseUrl}/completion_requests`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.startsWith('[{"id":8,"timestamp":"2024-01-15T00:00:08.000Z","is_streaming":false,'), text.slice(0, 80));
    assert.deepEqual(JSON.parse(text), rows);
  });

  for (const [query, expected] of [
    ['limit=2', rows.slice(0, 2)],
    ['limit=2&offset=2', rows.slice(2, 4)],
    ['offset=5', rows.slice(5)],
    ['offset=6', []],
    ['start=2024-01-15T00:00:02Z&end=2024-01-15T00:00:05Z', rows.slice(2, 5)],
    ['streamed=true&status=success', rows.slice(4)],
    ['model=model-a&limit=1&offset=1', [rows[3]]],
    ['endpoint=/v1/embeddings', []],
    ['endpoint=/v1/messages', [rows[0]]],
    ['cursor=ignored', rows],
  ] as const) {
    it(`GET /completion_requests?${query}`, async () => {
      assert.deepEqual(await api.get(`/completion_requests?${query}`), { status: 200, body: expected });
    });
  }

  for (const [query, param, message] of [
    ['limit=0', 'limit', 'limit must be an integer from 1 to 1000, got "0"'],
    ['limit=1001', 'limit', 'limit must be an integer from 1 to 1000, got "1001"'],
    ['limit=abc', 'limit', 'limit must be an integer from 1 to 1000, got "abc"'],
    ['offset=-1', 'offset', 'offset must be an integer of 0 or more, got "-1"'],
    ['end=2024-01-15&start=2024-01-15', 'end', 'end must be later than start, got start=2024-01-15T00:00:00.000Z and end=2024-01-15T00:00:00.000Z'],
  ] as const) {
    it(`GET /completion_requests?${query} → 400`, async () => {
      assert.deepEqual(await api.get(`/completion_requests?${query}`), paramError(param, message));
    });
  }

  it('logged no errors', () => {
    assert.deepEqual(api.logLines.filter((l) => (l.level as number) >= 50), []);
  });
});
