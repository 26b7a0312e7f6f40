/**
 * STREAM_USAGE=inject: a streamed request without `stream_options.include_usage` gets it on the
 * way up; the usage the backend then sends is removed on the way down, so the client receives
 * exactly the bytes the backend sends when nobody asks for usage — and the row has exact usage.
 * STREAM_USAGE=estimate never touches the request and counts output tokens instead.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { request } from 'undici';
import { loadTokenCounter } from '../../src/capture/token-estimate.js';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';

const WORDS = ['Hello', ' there', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'];
const USAGE = { prompt_tokens: 12, completion_tokens: 10, total_tokens: 22, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } };

/** An OpenAI chat stream as api.openai.com sends it: `"usage":null` on every chunk and a final usage chunk when asked. */
function openAiStream(includeUsage: boolean, sendUsage = includeUsage): string {
  const chunk = (choices: unknown[], usage?: unknown): string => {
    const body: Record<string, unknown> = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-mini-2024-07-18', service_tier: 'default', system_fingerprint: 'fp_1', choices };
    if (includeUsage) body.usage = usage ?? null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  let out = chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
  for (const w of WORDS) out += chunk([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }]);
  out += chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
  if (sendUsage) out += chunk([], USAGE);
  return `${out}data: [DONE]\n\n`;
}

/** llama.cpp /v1/completions: usage (and timings) on the last choice chunk, asked for or not. */
function completionsStream(withUsage: boolean): string {
  const chunk = (extra: string): string => `data: {"choices":[${extra}],"created":1,"id":"cmpl-1","model":"tiny","object":"text_completion"`;
  return `${chunk('{"text":" Hi","index":0,"logprobs":null,"finish_reason":null}')}}\n\n`
    + `${chunk('{"text":"","index":0,"logprobs":null,"finish_reason":"length"}')}${withUsage ? ',"usage":{"completion_tokens":4,"prompt_tokens":3,"total_tokens":7}' : ''},"timings":{"predicted_n":4}}\n\n`
    + 'data: [DONE]\n\n';
}

function wantsUsage(body: Buffer): boolean {
  try {
    return (JSON.parse(body.toString()) as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage === true;
  } catch {
    return false;
  }
}

/** Writes `text` in pieces of `piece` bytes (events split across reads), a millisecond apart. */
async function writeInPieces(res: ServerResponse, text: string, piece: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += piece) {
    res.write(bytes.subarray(i, i + piece));
    await sleep(1);
  }
  res.end();
}

describe('STREAM_USAGE=inject', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let piece = 7;
  let ignoreIncludeUsage = false;

  before(async () => {
    upstream = await startFakeUpstream(async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
      const asked = wantsUsage(body) && !ignoreIncludeUsage;
      const text = req.url === '/v1/completions' ? completionsStream(true) : openAiStream(asked);
      await writeInPieces(res, text, piece);
    });
    service = await startTestService({ upstreamUrl: upstream.url, streamUsage: 'inject' });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  const post = async (path: string, body: string): Promise<Buffer> => {
    const res = await request(`${service.proxyUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return Buffer.from(await res.body.arrayBuffer());
  };

  it('the client gets byte for byte the stream sent without usage; the row has the exact usage', async () => {
    for (const size of [1, 7, 64, 100_000]) {
      piece = size;
      const count = await service.rowCount();
      const body = '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}';
      const received = await post('/v1/chat/completions', body);
      assert.equal(received.toString(), openAiStream(false), `pieces of ${size} bytes`);
      const sent = upstream.received[upstream.received.length - 1]!.body.toString();
      assert.equal(sent, '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}],"stream_options":{"include_usage":true}}');
      const row = await service.rowAfter(count);
      assert.deepEqual(
        [row.input_tokens, row.output_tokens, row.total_tokens, row.cached_input_tokens, row.usage_source, row.finish_reason],
        [12, 10, 22, 0, 'reported', 'stop'],
      );
    }
  });

  it('the official openai SDK streams through it and sees no usage chunk', async () => {
    piece = 13;
    const count = await service.rowCount();
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test' });
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.usage, undefined, 'no usage member reaches the client');
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.equal(text, WORDS.join(''));
    assert.equal(chunks, WORDS.length + 2);
    assert.equal((await service.rowAfter(count)).output_tokens, 10);
  });

  it('leaves a request that already asks for usage (or does not stream) untouched, usage chunk included', async () => {
    piece = 50;
    const asking = '{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}';
    assert.equal((await post('/v1/chat/completions', asking)).toString(), openAiStream(true));
    assert.equal(upstream.received[upstream.received.length - 1]!.body.toString(), asking);
    const plain = '{"model":"m","stream":false,"messages":[]}';
    await post('/v1/chat/completions', plain);
    assert.equal(upstream.received[upstream.received.length - 1]!.body.toString(), plain);
  });

  it('rewrites another stream_options object with include_usage added, keeping its other members', async () => {
    await post('/v1/chat/completions', '{"model":"m","stream":true,"stream_options":{"include_obfuscation":false}}');
    const sent = JSON.parse(upstream.received[upstream.received.length - 1]!.body.toString()) as unknown;
    assert.deepEqual(sent, { model: 'm', stream: true, stream_options: { include_obfuscation: false, include_usage: true } });
  });

  it('cuts only the usage member from a content chunk that carries it (llama.cpp /v1/completions)', async () => {
    piece = 9;
    const count = await service.rowCount();
    const received = await post('/v1/completions', '{"model":"tiny","stream":true,"prompt":"x"}');
    assert.equal(received.toString(), completionsStream(false));
    const row = await service.rowAfter(count);
    assert.deepEqual([row.input_tokens, row.output_tokens, row.usage_source], [3, 4, 'reported']);
  });

  it('falls back to an estimate when the backend still sends no usage', async () => {
    ignoreIncludeUsage = true;
    try {
      const count = await service.rowCount();
      assert.equal((await post('/v1/chat/completions', '{"model":"m","stream":true,"messages":[]}')).toString(), openAiStream(false));
      const row = await service.rowAfter(count);
      const counter = await loadTokenCounter();
      assert.deepEqual([row.input_tokens, row.output_tokens, row.usage_source], [null, counter.count(WORDS.join('')), 'estimated']);
    } finally {
      ignoreIncludeUsage = false;
    }
  });
});

describe('STREAM_USAGE=estimate', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream(async (_req, res, body) => writeInPieces(res, openAiStream(wantsUsage(body)), 32));
    service = await startTestService({ upstreamUrl: upstream.url, streamUsage: 'estimate' });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('never modifies the request, and counts output tokens of streams without usage', async () => {
    const count = await service.rowCount();
    const body = '{"model":"m","stream":true,"messages":[]}';
    const res = await request(`${service.proxyUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(await res.body.text(), openAiStream(false));
    assert.equal(upstream.received[upstream.received.length - 1]!.body.toString(), body);
    const row = await service.rowAfter(count);
    assert.equal(row.usage_source, 'estimated');
    assert.equal(row.output_tokens, (await loadTokenCounter()).count(WORDS.join('')));
    assert.ok(row.tokens_per_second !== null && row.tokens_per_second > 0);
  });

  it('keeps reported usage when the stream has it', async () => {
    const count = await service.rowCount();
    const body = '{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}';
    await (await request(`${service.proxyUrl}/v1/chat/completions`, { method: 'POST', body })).body.text();
    const row = await service.rowAfter(count);
    assert.deepEqual([row.output_tokens, row.usage_source], [10, 'reported']);
  });
});
