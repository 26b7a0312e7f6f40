import type { RequestRecord } from '../../src/domain/request-record.js';

/** The schema-3 fields (API shapes, backend timings) as a row without them stores them. */
export const NO_SHAPE_FIELDS = {
  cache_creation_input_tokens: null,
  tool_calls: null,
  backend_prompt_ms: null,
  backend_generation_ms: null,
  backend_tokens_per_second: null,
  backend_load_ms: null,
  backend_total_ms: null,
} as const satisfies Partial<RequestRecord>;

/** A successful, non-streamed request with reported usage; override what a test cares about. */
export function makeRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    start_time: Date.UTC(2024, 0, 15, 12, 0, 0, 0),
    method: 'POST',
    endpoint: '/v1/chat/completions',
    model: 'model-a',
    response_model: 'model-a',
    status_code: 200,
    is_error: false,
    error_type: null,
    error_message: null,
    was_streamed: false,
    input_tokens: 10,
    output_tokens: 20,
    total_tokens: 30,
    cached_input_tokens: null,
    reasoning_tokens: null,
    usage_source: 'reported',
    ttft_ms: null,
    ttlt_ms: null,
    duration_ms: 100,
    tokens_per_second: 10,
    finish_reason: 'stop',
    message_count: null,
    origin: null,
    api_key_id: null,
    user: null,
    tags: {},
    cost_usd: null,
    ...NO_SHAPE_FIELDS,
    ...overrides,
  };
}

/** A failed request the backend reported no usage for (all token fields null). */
export function makeFailedRecord(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return makeRecord({
    response_model: null,
    status_code: 502,
    is_error: true,
    error_type: 'upstream_status',
    error_message: 'Bad Gateway',
    input_tokens: null,
    output_tokens: null,
    total_tokens: null,
    usage_source: 'none',
    tokens_per_second: null,
    finish_reason: null,
    ...overrides,
  });
}
