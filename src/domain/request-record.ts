/**
 * The domain's ground floor: the one shape a proxied request takes from capture to storage to the stats API.
 * Field names are the wire names of `/stats/recent` (LM Studio proxy compatible), so no layer
 * has to translate them.
 */

/** Why a request counts as failed; null when it succeeded. */
export type ErrorType =
  | 'upstream_status' // the upstream answered with a 4xx/5xx status
  | 'upstream_unreachable' // connection refused, DNS failure, TLS failure… before any response
  | 'upstream_timeout' // no response headers (or no body bytes) within UPSTREAM_TIMEOUT_MS
  | 'upstream_reset' // the upstream closed or reset the connection before finishing
  | 'stream_error' // the upstream answered 2xx but sent an `{"error": …}` event inside the stream
  | 'client_aborted' // the client went away before the response was complete
  | 'shutdown' // the service stopped before the request could finish
  | 'proxy_error'; // a bug or unexpected failure inside the proxy itself

/**
 * `reported`: the backend said how many tokens; `estimated`: the proxy counted output tokens with
 * a tokenizer (STREAM_USAGE=estimate); `none`: neither (token fields are null).
 */
export type UsageSource = 'reported' | 'estimated' | 'none';

/** One row per proxied request, as handed to the recorder. */
export interface RequestRecord {
  /** Epoch milliseconds when the proxy received the request. */
  start_time: number;
  method: string;
  /** Request path without the query string. */
  endpoint: string;
  /** `model` from the request body, when it has one. */
  model: string | null;
  /** `model` from the response, when it has one. */
  response_model: string | null;
  /** Status sent to the client; null when no response was started. */
  status_code: number | null;
  is_error: boolean;
  error_type: ErrorType | null;
  /** Short human-readable cause (upstream error message or transport error), never a secret. */
  error_message: string | null;
  /** The client asked for a stream (`"stream": true` in the request body). */
  was_streamed: boolean;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  /** Part of input_tokens served from the backend's prompt cache, when reported. */
  cached_input_tokens: number | null;
  /** Part of output_tokens spent on reasoning, when reported. */
  reasoning_tokens: number | null;
  usage_source: UsageSource;
  /** Request received → first chunk carrying generated content. Null for non-streamed. */
  ttft_ms: number | null;
  /** Request received → last chunk carrying generated content. Null for non-streamed. */
  ttlt_ms: number | null;
  /** Request received → last byte handed to the client. */
  duration_ms: number;
  /** Output tokens ÷ generation window (streams) or ÷ duration (non-streamed). */
  tokens_per_second: number | null;
  finish_reason: string | null;
  /** Length of the request's `messages` (or Responses `input`) array. */
  message_count: number | null;
  /** The request's `Origin` header. */
  origin: string | null;
  /** Keyed one-way fingerprint of the bearer key (`key_` + 16 hex); the key itself is never kept. */
  api_key_id: string | null;
  /** From the configured user header, else the request body's `user` field. */
  user: string | null;
  /** From the configured tag headers (`X-Metrics-Tag-Team: red` → `{team: "red"}`). */
  tags: Readonly<Record<string, string>>;
  /** Price of the request in USD from the price table; null when its model has no price. */
  cost_usd: number | null;
  // Added with schema version 3. Producers may omit them (read as null); stored rows have them all.
  /** Part of input_tokens written to the backend's prompt cache (Anthropic `cache_creation_input_tokens`). */
  cache_creation_input_tokens?: number | null;
  /** Tool (function) calls in the response. */
  tool_calls?: number | null;
  /** Backend-reported prompt processing time (llama.cpp `timings.prompt_ms`, Ollama `prompt_eval_duration`). */
  backend_prompt_ms?: number | null;
  /** Backend-reported generation time (llama.cpp `timings.predicted_ms`, Ollama `eval_duration`). */
  backend_generation_ms?: number | null;
  /** Backend-reported generation speed (llama.cpp `predicted_per_second`, Ollama eval_count ÷ eval_duration). */
  backend_tokens_per_second?: number | null;
  /** Backend-reported model load time (Ollama `load_duration`). */
  backend_load_ms?: number | null;
  /** Backend-reported total time (Ollama `total_duration`). */
  backend_total_ms?: number | null;
}

/** A stored request as the stats API returns it. */
export interface StoredRequest extends Omit<RequestRecord, 'start_time'> {
  id: number;
  /** ISO-8601 UTC, millisecond precision. */
  start_time: string;
}

/** The fields the analytics index reads: what the store's `scanForIndex` loads, and no more. */
export type AnalyticsRecord = Pick<
  RequestRecord,
  | 'start_time' | 'endpoint' | 'model' | 'is_error' | 'was_streamed' | 'usage_source'
  | 'input_tokens' | 'output_tokens' | 'total_tokens' | 'cached_input_tokens' | 'reasoning_tokens'
  | 'ttft_ms' | 'ttlt_ms' | 'duration_ms' | 'tokens_per_second' | 'cost_usd'
  | 'api_key_id' | 'user' | 'origin' | 'error_type' | 'tags'
>;
