/**
 * OpenAI chat/completions, completions and embeddings (and the llama.cpp, vLLM, LM Studio and
 * Ollama servers that speak them): `usage` with prompt/completion tokens and their details,
 * `choices` (one or more: `n > 1`) with content deltas, tool calls and finish reasons, in-stream
 * `{"error": …}` events, and llama.cpp's `timings`.
 */
import { readErrorMessage, readUsage } from '../usage.js';
import { SseJsonFollower } from './sse-follower.js';
import { type ApiShape, type BackendTimings, numberOf, objectOf, ResponseCapture, stringOf } from './response-capture.js';

export const openAiShape: ApiShape = {
  bodyMembers: ['model', 'usage', 'choices', 'error', 'timings'],
  follow(contentType, collectText) {
    if (!contentType.startsWith('text/event-stream')) return null;
    const capture = new ResponseCapture(collectText);
    const reasons = new Map<number, string>();
    const toolCalls = new Set<string>();
    return new SseJsonFollower(capture, (chunk, _event, now) => {
      if (capture.responseModel === null && typeof chunk.model === 'string') capture.responseModel = chunk.model;
      if (chunk.error !== undefined && chunk.error !== null) {
        capture.errorMessage = readErrorMessage(chunk.error);
        return;
      }
      const choices = chunk.choices;
      if (Array.isArray(choices)) {
        for (const [position, item] of choices.entries()) {
          const choice = objectOf(item);
          if (choice === null) continue;
          const index = typeof choice.index === 'number' ? choice.index : position;
          capture.content(now, choiceText(choice, index, toolCalls));
          if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
            reasons.set(index, choice.finish_reason);
            capture.finishReason = joinReasons(reasons); // once per choice: finish chunks are rare
          }
        }
        if (toolCalls.size > 0) capture.toolCalls = toolCalls.size;
      }
      if (chunk.usage !== undefined && chunk.usage !== null) capture.usage = readUsage(chunk.usage) ?? capture.usage;
      if (chunk.timings !== undefined) capture.backend = readLlamaCppTimings(chunk.timings) ?? capture.backend;
    });
  },
  readBody(members, capture) {
    const model = members.get('model');
    if (typeof model === 'string') capture.responseModel = model;
    capture.usage = readUsage(members.get('usage'));
    capture.errorMessage = readErrorMessage(members.get('error'));
    capture.backend = readLlamaCppTimings(members.get('timings'));
    const choices = members.get('choices');
    if (!Array.isArray(choices)) return;
    const reasons = new Map<number, string>();
    let calls = 0;
    for (const [position, item] of choices.entries()) {
      const choice = objectOf(item);
      if (choice === null) continue;
      if (typeof choice.finish_reason === 'string' && choice.finish_reason !== '') {
        reasons.set(typeof choice.index === 'number' ? choice.index : position, choice.finish_reason);
      }
      const toolCallList = objectOf(choice.message)?.tool_calls;
      if (Array.isArray(toolCallList)) calls += toolCallList.length;
    }
    capture.finishReason = joinReasons(reasons);
    capture.addToolCalls(calls);
  },
};

/**
 * The generated content of one stream choice: text (completions), content, reasoning, refusal and
 * tool-call arguments. Records each new tool call as `choice:index` in `toolCalls`.
 */
function choiceText(choice: Record<string, unknown>, index: number, toolCalls: Set<string>): string {
  if (typeof choice.text === 'string') return choice.text; // /v1/completions
  const delta = objectOf(choice.delta);
  if (delta === null) return '';
  let text = stringOf(delta.content) + stringOf(delta.reasoning_content) + stringOf(delta.reasoning) + stringOf(delta.refusal);
  if (Array.isArray(delta.tool_calls)) {
    for (const [position, item] of delta.tool_calls.entries()) {
      const call = objectOf(item);
      if (call === null) continue;
      toolCalls.add(`${index}:${typeof call.index === 'number' ? call.index : position}`);
      const fn = objectOf(call.function);
      // A tool call's first fragment may carry only its name: that is generated content too.
      text += stringOf(fn?.arguments) || stringOf(fn?.name);
    }
  }
  const legacy = objectOf(delta.function_call);
  if (legacy !== null) text += stringOf(legacy.arguments) || stringOf(legacy.name);
  return text;
}

/** Finish reasons of every choice in index order: one reason, or the distinct ones joined by ','. */
function joinReasons(reasons: ReadonlyMap<number, string>): string | null {
  if (reasons.size === 0) return null;
  const ordered = [...reasons].sort(([a], [b]) => a - b).map(([, reason]) => reason);
  return [...new Set(ordered)].join(',');
}

/** llama.cpp server `timings`: prompt_ms, predicted_ms, predicted_per_second. */
export function readLlamaCppTimings(value: unknown): BackendTimings | null {
  const t = objectOf(value);
  if (t === null) return null;
  const timings: BackendTimings = {
    prompt_ms: numberOf(t.prompt_ms),
    generation_ms: numberOf(t.predicted_ms),
    tokens_per_second: numberOf(t.predicted_per_second),
    load_ms: null,
    total_ms: null,
  };
  return timings.prompt_ms === null && timings.generation_ms === null && timings.tokens_per_second === null ? null : timings;
}
