/**
 * OpenAI Responses API (`/v1/responses`): usage with input/output tokens and their details,
 * every `*.delta` stream event as generated content (output text, function-call arguments,
 * reasoning, refusals, audio transcripts…), `response.completed` / `response.incomplete` /
 * `response.failed` for usage and outcome, `error` events. The finish reason is the response's
 * status (`completed`, `failed`), or the incomplete reason (`max_output_tokens`, `content_filter`).
 */
import { readErrorMessage, readUsage } from '../usage.js';
import { SseJsonFollower } from './sse-follower.js';
import { type ApiShape, objectOf, ResponseCapture, stringOf } from './response-capture.js';

export const responsesShape: ApiShape = {
  bodyMembers: ['model', 'usage', 'status', 'error', 'incomplete_details', 'output'],
  follow(contentType, collectText) {
    if (!contentType.startsWith('text/event-stream')) return null;
    const capture = new ResponseCapture(collectText);
    return new SseJsonFollower(capture, (data, event, now) => {
      const type = typeof data.type === 'string' ? data.type : (event.event ?? '');
      if (type.endsWith('.delta')) {
        capture.content(now, deltaText(data.delta));
        return;
      }
      if (type === 'response.output_item.added' && objectOf(data.item)?.type === 'function_call') {
        capture.addToolCalls(1);
        return;
      }
      if (type === 'error') {
        capture.errorMessage = readErrorMessage(objectOf(data.error) ?? data);
        return;
      }
      const response = objectOf(data.response);
      if (response === null) return;
      if (typeof response.model === 'string') capture.responseModel = response.model;
      if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
        readOutcome(capture, response, false);
      }
    });
  },
  readBody(members, capture) {
    readOutcome(capture, Object.fromEntries(members), true);
  },
};

/** Usage, status and error of a final response object. */
function readOutcome(capture: ResponseCapture, response: Record<string, unknown>, countToolCalls: boolean): void {
  if (typeof response.model === 'string') capture.responseModel = response.model;
  capture.usage = readUsage(response.usage) ?? capture.usage;
  const status = stringOf(response.status);
  const incomplete = stringOf(objectOf(response.incomplete_details)?.reason);
  capture.finishReason = status === 'incomplete' && incomplete !== '' ? incomplete : status || capture.finishReason;
  const error = response.error;
  if (error !== null && error !== undefined) capture.errorMessage = readErrorMessage(error);
  else if (status === 'failed') capture.errorMessage = 'response failed';
  if (countToolCalls && Array.isArray(response.output)) {
    capture.addToolCalls(response.output.filter((item) => objectOf(item)?.type === 'function_call').length);
  }
}

/** A delta event's text: a string, or (audio) base64 that still counts as generated content. */
function deltaText(delta: unknown): string {
  if (typeof delta === 'string') return delta;
  const d = objectOf(delta);
  return d === null ? '' : stringOf(d.text) || JSON.stringify(d);
}
