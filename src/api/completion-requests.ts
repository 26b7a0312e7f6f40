/** `/completion_requests` rows in the OpenAI LLM metrics proxy's shape. */
import type { StoredRequest } from '../domain/request-record.js';

export interface CompletionRequestJson {
  id: number;
  /** start_time, ISO-8601 UTC. */
  timestamp: string;
  is_streaming: boolean;
  success: boolean;
  error_type: string | null;
  message_count: number | null;
  timing: {
    time_to_first_token_ms: number | null;
    time_to_last_token_ms: number | null;
    response_time_ms: number;
  };
  tokens: { total: number | null; prompt: number | null; completion: number | null };
  model: string | null;
  origin: string | null;
}

export function toCompletionRequest(r: StoredRequest): CompletionRequestJson {
  return {
    id: r.id,
    timestamp: r.start_time,
    is_streaming: r.was_streamed,
    success: !r.is_error,
    error_type: r.error_type,
    message_count: r.message_count,
    timing: {
      time_to_first_token_ms: r.ttft_ms,
      time_to_last_token_ms: r.ttlt_ms,
      response_time_ms: r.duration_ms,
    },
    tokens: { total: r.total_tokens, prompt: r.input_tokens, completion: r.output_tokens },
    model: r.model,
    origin: r.origin,
  };
}
