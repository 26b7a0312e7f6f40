/**
 * Ollama's native API (`/api/chat`, `/api/generate`, `/api/embed`, `/api/embeddings`): NDJSON
 * streams (one object per line) or one JSON body, usage from `prompt_eval_count` / `eval_count`,
 * the backend's own timings (`total_duration`, `load_duration`, `prompt_eval_duration`,
 * `eval_duration`, in nanoseconds), `done_reason`, tool calls and `{"error": …}` objects.
 */
import { NdjsonFollower } from './ndjson-follower.js';
import { type ApiShape, type BackendTimings, countOf, numberOf, objectOf, ResponseCapture, stringOf } from './response-capture.js';

const FINAL_MEMBERS = [
  'model', 'done', 'done_reason', 'error', 'message', 'response', 'thinking',
  'prompt_eval_count', 'eval_count', 'total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration',
] as const;

export const ollamaShape: ApiShape = {
  bodyMembers: FINAL_MEMBERS,
  follow(contentType, collectText) {
    if (!contentType.startsWith('application/x-ndjson')) return null;
    const capture = new ResponseCapture(collectText);
    return new NdjsonFollower(capture, (object, now) => readObject(capture, object, now));
  },
  readBody(members, capture) {
    readObject(capture, Object.fromEntries(members), null);
  },
};

/** One stream line or a whole body; `now` is null for a body (no content timing). */
function readObject(capture: ResponseCapture, o: Record<string, unknown>, now: number | null): void {
  if (capture.responseModel === null && typeof o.model === 'string') capture.responseModel = o.model;
  if (o.error !== undefined && o.error !== null) {
    capture.errorMessage = typeof o.error === 'string' ? o.error : JSON.stringify(o.error);
    return;
  }
  const message = objectOf(o.message);
  const toolCalls = message?.tool_calls;
  if (Array.isArray(toolCalls)) capture.addToolCalls(toolCalls.length);
  const text = stringOf(message?.content) + stringOf(message?.thinking) + stringOf(o.response) + stringOf(o.thinking);
  const hasToolCall = Array.isArray(toolCalls) && toolCalls.length > 0;
  if (now !== null) capture.content(now, text || (hasToolCall ? JSON.stringify(toolCalls) : ''));
  if (typeof o.done_reason === 'string' && o.done_reason !== '') capture.finishReason = o.done_reason;
  readCounts(capture, o);
}

/** Usage and timings of a final object (`done: true`, or an embed response). */
function readCounts(capture: ResponseCapture, o: Record<string, unknown>): void {
  const input = countOf(o.prompt_eval_count);
  const output = countOf(o.eval_count);
  if (input !== undefined || output !== undefined) {
    // Ollama leaves prompt_eval_count out when the whole prompt came from its cache.
    const inputTokens = input ?? 0;
    const outputTokens = output ?? 0;
    capture.usage = {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
      cached_input_tokens: null,
      reasoning_tokens: null,
    };
  }
  const timings = readOllamaTimings(o, output);
  if (timings !== null) capture.backend = timings;
}

const NS_PER_MS = 1e6;

function readOllamaTimings(o: Record<string, unknown>, evalCount: number | undefined): BackendTimings | null {
  const ms = (value: unknown): number | null => {
    const ns = numberOf(value);
    return ns === null ? null : ns / NS_PER_MS;
  };
  const timings: BackendTimings = {
    prompt_ms: ms(o.prompt_eval_duration),
    generation_ms: ms(o.eval_duration),
    tokens_per_second: null,
    load_ms: ms(o.load_duration),
    total_ms: ms(o.total_duration),
  };
  if (Object.values(timings).every((v) => v === null)) return null;
  const generation = timings.generation_ms;
  const tokensPerSecond = evalCount !== undefined && generation !== null && generation > 0 ? evalCount / (generation / 1000) : null;
  return { ...timings, tokens_per_second: tokensPerSecond };
}
