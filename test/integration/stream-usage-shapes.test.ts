import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, sendSse, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, chatCompletion, usageChunk } from '../helpers/chunks.js';
import { llamaCppFixture } from '../helpers/fixtures.js';
import { headerValues, httpRequest } from '../helpers/raw-http.js';

/**
 * Token usage is read from every shape OpenAI-compatible servers send it in: a separate usage chunk,
 * llama.cpp's recorded streams and answers, usage on the last choice chunk of a completions stream,
 * non-streamed completions and embeddings, and a gzip-compressed body. A missing usage is null, not 0.
 */

/** The head of a llama.cpp (cpp-httplib) answer, as recorded in fixtures/llama-cpp/stream-headers.txt. */
function llamaCppHead(res: ServerResponse, contentType: string, contentLength?: number): void {
  res.sendDate = false;
  const headers = ['Server', 'llama.cpp', 'Access-Control-Allow-Origin', '', 'X-Accel-Buffering', 'no', 'Content-Type', contentType];
  if (contentLength !== undefined) headers.push('Content-Length', String(contentLength));
  headers.push('Keep-Alive', 'timeout=5, max=100');
  res.writeHead(200, 'OK', headers);
}

/** Replays a recorded llama.cpp SSE body byte for byte, one event per write. */
function replayStream(fixture: Buffer) {
  return async (_req: unknown, res: ServerResponse): Promise<void> => {
    llamaCppHead(res, 'text/event-stream');
    let pos = 0;
    for (;;) {
      const end = fixture.indexOf('\n\n', pos);
      if (end === -1) break;
      res.write(fixture.subarray(pos, end + 2));
      pos = end + 2;
      await sleep(2);
    }
    assert.equal(pos, fixture.length, 'fixture must be whole events');
    res.end();
  };
}

describe('usage is captured from every response shape', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let client: OpenAI;

  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
    client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });


  it('chat stream with stream_options.include_usage and a separate choices: [] usage chunk → usage reported with exact tokens', async () => {
    upstream.handle((_req, res) =>
      sendSse(res, [
        { data: chatChunk({ role: 'assistant', content: '' }, null, 'served-model') },
        { data: chatChunk({ content: 'Hello' }, null, 'served-model') },
        { data: chatChunk({ content: ' there' }, null, 'served-model'), delayMs: 10 },
        { data: chatChunk({}, 'stop', 'served-model') },
        { data: usageChunk(13, 2, 'served-model'), delayMs: 10 },
        { data: '[DONE]' },
      ]),
    );
    const before = upstream.received.length;
    const count = await service.rowCount();
    const stream = await client.chat.completions.create({ model: 'asked-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Hello there');
    const sent = JSON.parse(upstream.received[before]?.body.toString() ?? 'null') as { stream_options?: unknown };
    assert.deepEqual(sent.stream_options, { include_usage: true });
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [13, 2, 15]);
    assert.equal(row.model, 'asked-model');
    assert.equal(row.response_model, 'served-model');
    assert.equal(row.finish_reason, 'stop');
    assert.equal(row.was_streamed, true);
    assert.equal(row.endpoint, '/v1/chat/completions');
  });

  it('llama.cpp chat stream with usage (recorded, replayed byte for byte) → 26/5/31, response_model tiny-random, finish_reason length', async () => {
    upstream.handle(replayStream(llamaCppFixture('resp-stream-usage.txt')));
    const count = await service.rowCount();
    const stream = await client.chat.completions.create({ model: 'anything', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, ' says w hellos says');
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [26, 5, 31]);
    assert.equal(row.response_model, 'tiny-random');
    assert.equal(row.model, 'anything');
    assert.equal(row.finish_reason, 'length');
    assert.equal(row.was_streamed, true);
    assert.equal(row.is_error, false);
  });

  it('llama.cpp chat stream without usage (recorded) → usage_source none and token counts null, not 0', async () => {
    upstream.handle(replayStream(llamaCppFixture('resp-stream-nousage.txt')));
    const count = await service.rowCount();
    const stream = await client.chat.completions.create({ model: 'anything', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, ' says w hello');
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'none');
    assert.strictEqual(row.input_tokens, null);
    assert.strictEqual(row.output_tokens, null);
    assert.strictEqual(row.total_tokens, null);
    assert.strictEqual(row.tokens_per_second, null);
    assert.equal(row.response_model, 'tiny-random');
    assert.equal(row.finish_reason, 'length');
    assert.equal(row.was_streamed, true);
    assert.notEqual(row.ttft_ms, null); // content was seen, only the token count is unknown
  });

  it('llama.cpp non-streamed chat answer (recorded) → 26/16/42, response_model tiny-random, finish_reason length', async () => {
    const fixture = llamaCppFixture('resp-nonstream.json');
    upstream.handle((_req, res) => {
      llamaCppHead(res, 'application/json; charset=utf-8', fixture.length);
      res.end(fixture);
    });
    const count = await service.rowCount();
    const r = await client.chat.completions.create({ model: 'anything', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]?.message.content, ' says says w hellos says w hellos says w hellos says w hello');
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [26, 16, 42]);
    assert.equal(row.response_model, 'tiny-random');
    assert.equal(row.finish_reason, 'length');
    assert.equal(row.was_streamed, false);
    assert.strictEqual(row.ttft_ms, null);
  });

  it('/v1/completions stream with usage on the last choice chunk (llama.cpp style) → exact tokens', async () => {
    const base = { id: 'cmpl-1', created: 1795373690, model: 'tiny-random', system_fingerprint: 'b11669-Debian', object: 'text_completion' };
    const piece = (text: string): string => JSON.stringify({ choices: [{ text, index: 0, logprobs: null, finish_reason: null }], ...base });
    const last = JSON.stringify({
      choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'length' }],
      ...base,
      usage: { completion_tokens: 4, prompt_tokens: 6, total_tokens: 10 },
      timings: { prompt_n: 6, prompt_ms: 1.2, predicted_n: 4, predicted_ms: 0.9 },
    });
    upstream.handle((_req, res) => sendSse(res, [{ data: piece(' says') }, { data: piece(' w'), delayMs: 10 }, { data: piece(' hello') }, { data: piece('s'), delayMs: 10 }, { data: last }, { data: '[DONE]' }]));
    const count = await service.rowCount();
    const stream = await client.completions.create({ model: 'anything', prompt: 'Say', max_tokens: 4, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    assert.equal(text, ' says w hellos');
    const row = await service.rowAfter(count);
    assert.equal(row.endpoint, '/v1/completions');
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [6, 4, 10]);
    assert.equal(row.finish_reason, 'length');
    assert.equal(row.response_model, 'tiny-random');
    assert.equal(row.was_streamed, true);
    assert.notEqual(row.ttft_ms, null);
  });

  it('non-streamed /v1/completions → exact tokens', async () => {
    upstream.handle((_req, res) =>
      sendJson(res, 200, {
        id: 'cmpl-2',
        object: 'text_completion',
        created: 1,
        model: 'tiny-random',
        choices: [{ text: ' says w hello', index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
      }),
    );
    const count = await service.rowCount();
    const r = await client.completions.create({ model: 'anything', prompt: 'Say' });
    assert.equal(r.choices[0]?.text, ' says w hello');
    const row = await service.rowAfter(count);
    assert.equal(row.endpoint, '/v1/completions');
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [5, 7, 12]);
    assert.equal(row.finish_reason, 'stop');
    assert.equal(row.response_model, 'tiny-random');
    assert.equal(row.was_streamed, false);
  });

  it('non-streamed /v1/embeddings with only prompt_tokens and total_tokens → output_tokens 0', async () => {
    upstream.handle((_req, res) =>
      sendJson(res, 200, {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5, 0.125] }],
        model: 'tiny-embed',
        usage: { prompt_tokens: 8, total_tokens: 8 },
      }),
    );
    const count = await service.rowCount();
    const r = await client.embeddings.create({ model: 'embed-model', input: 'hello world', encoding_format: 'float' });
    assert.deepEqual(r.data[0]?.embedding, [0.25, -0.5, 0.125]);
    const row = await service.rowAfter(count);
    assert.equal(row.endpoint, '/v1/embeddings');
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [8, 0, 8]);
    assert.strictEqual(row.tokens_per_second, null); // nothing generated
    assert.equal(row.model, 'embed-model');
    assert.equal(row.response_model, 'tiny-embed');
    assert.strictEqual(row.finish_reason, null);
  });

  it('gzip-compressed non-streamed JSON: the client gets the compressed bytes untouched and the row still has usage', async () => {
    const json = Buffer.from(JSON.stringify(chatCompletion('compressed hello', 21, 9, 'gz-model')));
    const compressed = gzipSync(json);
    upstream.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': compressed.length, vary: 'Accept-Encoding' });
      const half = Math.floor(compressed.length / 2);
      res.write(compressed.subarray(0, half));
      await sleep(10);
      res.end(compressed.subarray(half));
    });
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const before = upstream.received.length;
    const count = await service.rowCount();
    const res = await httpRequest(`${service.proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip', 'content-length': Buffer.byteLength(body) },
      body,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(headerValues(upstream.received[before]?.rawHeaders ?? [], 'accept-encoding'), ['gzip']);
    assert.deepEqual(headerValues(res.rawHeaders, 'content-encoding'), ['gzip']);
    assert.deepEqual(headerValues(res.rawHeaders, 'content-length'), [String(compressed.length)]);
    assert.ok(res.body.equals(compressed), 'compressed body changed');
    assert.ok(gunzipSync(res.body).equals(json));
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [21, 9, 30]);
    assert.equal(row.response_model, 'gz-model');
    assert.equal(row.finish_reason, 'stop');
  });
});
