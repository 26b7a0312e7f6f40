/**
 * The one shape a proxied request takes from capture to storage to the stats API.
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

/** `reported`: the backend said how many tokens; `none`: it did not (token fields are null). */
export type UsageSource = 'reported' | 'none';

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
  usage_source: UsageSource;
  /** Request received → first chunk carrying generated content. Null for non-streamed. */
  ttft_ms: number | null;
  /** Request received → last byte handed to the client. */
  duration_ms: number;
  /** Output tokens ÷ generation window (streams) or ÷ duration (non-streamed). */
  tokens_per_second: number | null;
  finish_reason: string | null;
}

/** A stored request as the stats API returns it. */
export interface StoredRequest extends Omit<RequestRecord, 'start_time'> {
  id: number;
  /** ISO-8601 UTC, millisecond precision. */
  start_time: string;
}

/** `GET /stats/summary` (LM Studio proxy fields first, then extras). */
export interface Summary {
  total_requests: number;
  successful_requests: number;
  failed_requests: number;
  total_input_tokens: number;
  total_output_tokens: number;
  total_tokens: number;
  /** Averages over requests whose usage is known only; 0 when there are none. */
  average_input_tokens: number;
  average_output_tokens: number;
  total_duration_ms: number;
  requests_with_usage: number;
  streamed_requests: number;
  average_duration_ms: number | null;
  average_ttft_ms: number | null;
  average_tokens_per_second: number | null;
}

/** One entry of `GET /stats/by-model`. */
export interface ModelStats {
  model: string | null;
  requests: number;
  successful_requests: number;
  failed_requests: number;
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  /** total_tokens ÷ requests whose usage is known; 0 when there are none. */
  avg_tokens_per_request: number;
  requests_with_usage: number;
  avg_duration_ms: number | null;
  avg_ttft_ms: number | null;
  avg_tokens_per_second: number | null;
}

/** Storage behind the recorder and the stats API. Every adapter passes test/contract/store-contract.ts. */
export interface Store {
  /** Writes all records in one transaction; rejects (writing none) if any fails. */
  recordBatch(records: readonly RequestRecord[]): Promise<void>;
  summary(): Promise<Summary>;
  /** Ordered by requests, most first; ties by model name. */
  byModel(): Promise<ModelStats[]>;
  /** Newest first by start_time (ties: newest id first). */
  recent(limit: number): Promise<StoredRequest[]>;
  close(): Promise<void>;
}
