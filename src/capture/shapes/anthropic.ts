/**
 * Anthropic Messages (`/v1/messages`, also served by LM Studio, Ollama, vLLM and llama.cpp).
 * Anthropic's `input_tokens` excludes prompt-cache reads and writes; the record's input_tokens is
 * the sum of all three, as OpenAI's prompt_tokens and the OpenTelemetry GenAI conventions count
 * input, with the cached parts also in their own fields (cache reads → cached_input_tokens, cache
 * writes → cache_creation_input_tokens). Streams: `message_start` (input usage), content deltas
 * (text, thinking, tool input JSON), `message_delta` (output usage, stop_reason), `error`.
 */
import type { TokenUsage } from '../usage.js';
import { readErrorMessage } from '../usage.js';
import { SseJsonFollower } from './sse-follower.js';
import { type ApiShape, countOf, objectOf, ResponseCapture, stringOf } from './response-capture.js';

export const anthropicShape: ApiShape = {
  bodyMembers: ['type', 'model', 'usage', 'stop_reason', 'content', 'error'],
  follow(contentType, collectText) {
    if (!contentType.startsWith('text/event-stream')) return null;
    const capture = new ResponseCapture(collectText);
    let usage: Record<string, unknown> = {};
    return new SseJsonFollower(capture, (data, event, now) => {
      const type = typeof data.type === 'string' ? data.type : (event.event ?? '');
      switch (type) {
        case 'message_start': {
          const message = objectOf(data.message);
          if (typeof message?.model === 'string') capture.responseModel = message.model;
          usage = { ...usage, ...objectOf(message?.usage) };
          break;
        }
        case 'content_block_start':
          if (isToolUse(objectOf(data.content_block)?.type)) capture.addToolCalls(1);
          break;
        case 'content_block_delta': {
          const delta = objectOf(data.delta);
          capture.content(now, stringOf(delta?.text) + stringOf(delta?.thinking) + stringOf(delta?.partial_json));
          break;
        }
        case 'message_delta': {
          const reason = objectOf(data.delta)?.stop_reason;
          if (typeof reason === 'string') capture.finishReason = reason;
          // Counts here are cumulative: they replace message_start's (output_tokens always).
          usage = { ...usage, ...withoutNulls(objectOf(data.usage)) };
          break;
        }
        case 'error':
          capture.errorMessage = readErrorMessage(objectOf(data.error) ?? data);
          break;
        default:
      }
      readAnthropicUsage(capture, usage);
    });
  },
  readBody(members, capture) {
    const model = members.get('model');
    if (typeof model === 'string') capture.responseModel = model;
    if (members.get('type') === 'error') capture.errorMessage = readErrorMessage(members.get('error'));
    const reason = members.get('stop_reason');
    if (typeof reason === 'string') capture.finishReason = reason;
    const content = members.get('content');
    if (Array.isArray(content)) capture.addToolCalls(content.filter((block) => isToolUse(objectOf(block)?.type)).length);
    readAnthropicUsage(capture, objectOf(members.get('usage')) ?? {});
  },
};

function isToolUse(type: unknown): boolean {
  return type === 'tool_use' || type === 'server_tool_use';
}

function withoutNulls(o: Record<string, unknown> | null): Record<string, unknown> {
  return o === null ? {} : Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

/** Sets the capture's usage from Anthropic usage members, when the input count is known. */
function readAnthropicUsage(capture: ResponseCapture, u: Record<string, unknown>): void {
  const input = countOf(u.input_tokens);
  if (input === undefined) return;
  const cacheRead = countOf(u.cache_read_input_tokens);
  const cacheWrite = countOf(u.cache_creation_input_tokens);
  const output = countOf(u.output_tokens) ?? 0;
  const inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  const usage: TokenUsage = {
    input_tokens: inputTokens,
    output_tokens: output,
    total_tokens: inputTokens + output,
    cached_input_tokens: cacheRead ?? null,
    reasoning_tokens: null,
  };
  capture.usage = usage;
  capture.cacheCreationTokens = cacheWrite ?? null;
}
