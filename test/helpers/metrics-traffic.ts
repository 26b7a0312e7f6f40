/**
 * A known mix of requests for the metrics tests, sent with the official openai SDK through the
 * proxy to a fake upstream: what each metric must then show is computed from this mix.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { chatChunk } from './chunks.js';
import { sendJson, sendSse } from './fake-upstream.js';

export const MIX = {
  /** Non-streamed chats of `chat-a`, answered by `chat-a-q4` with 5 input / 7 output tokens. */
  chats: 3,
  /** Streamed chats of `chat-b`: 4 input / 9 output tokens, 2 of them cached, 3 reasoning. */
  streams: 2,
  /** Embeddings of `embed-1`: 8 input tokens. */
  embeddings: 1,
  /** Chats of `chat-a` the upstream answers with a 500. */
  failures: 1,
  /** `GET /v1/models`: no GenAI operation. */
  modelLists: 1,
} as const;

export const MIX_TOTAL = MIX.chats + MIX.streams + MIX.embeddings + MIX.failures + MIX.modelLists;
export const MIX_GEN_AI = MIX_TOTAL - MIX.modelLists;

/** The fake LLM server behind the proxy for MIX. */
export function mixUpstream(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> | void {
  if (req.url === '/v1/models') return sendJson(res, 200, { object: 'list', data: [{ id: 'chat-a', object: 'model' }] });
  const request = JSON.parse(body.toString('utf8')) as { model: string; stream?: boolean; messages?: Array<{ content: string }> };
  if (req.url === '/v1/embeddings') {
    return sendJson(res, 200, { object: 'list', model: request.model, data: [{ index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 8, total_tokens: 8 } });
  }
  if (request.messages?.[0]?.content === 'fail') return sendJson(res, 500, { error: { message: 'model crashed', type: 'server_error' } });
  if (request.stream === true) {
    const usage = JSON.stringify({
      id: 'c', object: 'chat.completion.chunk', created: 1, model: request.model, choices: [],
      usage: { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13, prompt_tokens_details: { cached_tokens: 2 }, completion_tokens_details: { reasoning_tokens: 3 } },
    });
    return sendSse(res, [
      { data: chatChunk({ role: 'assistant' }, null, request.model), delayMs: 5 },
      { data: chatChunk({ content: 'Hel' }, null, request.model), delayMs: 20 },
      { data: chatChunk({ content: 'lo' }, null, request.model), delayMs: 20 },
      { data: chatChunk({}, 'stop', request.model) },
      { data: usage },
      { data: '[DONE]' },
    ]);
  }
  return sendJson(res, 200, {
    id: 'c', object: 'chat.completion', created: 1, model: `${request.model}-q4`,
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  });
}

/** Sends MIX through the proxy, one request at a time; `headers` go on every request. */
export async function sendMix(proxyUrl: string, headers: Record<string, string> = {}): Promise<void> {
  const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: 'sk-metrics-test', maxRetries: 0, defaultHeaders: headers });
  for (let i = 0; i < MIX.chats; i++) await client.chat.completions.create({ model: 'chat-a', messages: [{ role: 'user', content: 'hi' }] });
  for (let i = 0; i < MIX.streams; i++) {
    const stream = await client.chat.completions.create({ model: 'chat-b', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) void chunk;
  }
  for (let i = 0; i < MIX.embeddings; i++) await client.embeddings.create({ model: 'embed-1', input: 'hello', encoding_format: 'float' });
  for (let i = 0; i < MIX.failures; i++) {
    await client.chat.completions.create({ model: 'chat-a', messages: [{ role: 'user', content: 'fail' }] }).then(
      () => Promise.reject(new Error('expected a 500')),
      (err: unknown) => {
        if (!(err instanceof OpenAI.APIError) || err.status !== 500) throw err;
      },
    );
  }
  for (let i = 0; i < MIX.modelLists; i++) await client.models.list();
}
