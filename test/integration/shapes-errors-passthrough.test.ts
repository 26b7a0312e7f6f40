/**
 * Errors in every API shape are recorded as errors with their message (Anthropic `error` events
 * and error bodies, Responses `response.failed`, Ollama `{"error": …}` lines); non-streamed bodies
 * of each shape give their usage; the rest of Ollama's `/api/*` passes through untouched; and
 * PROXY_PATHS decides which prefixes are proxied at all.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { shapeFixture } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';

/** What the fake upstream answers, by path. */
const ROUTES: Record<string, { status: number; type: string; body: Buffer }> = {
  'POST /v1/messages stream-error': { status: 200, type: 'text/event-stream; charset=utf-8', body: shapeFixture('anthropic-stream-error.txt') },
  'POST /v1/messages too-long': { status: 400, type: 'application/json', body: shapeFixture('anthropic-error.json') },
  'POST /v1/messages ok': { status: 200, type: 'application/json', body: shapeFixture('anthropic-nonstream.json') },
  'POST /v1/responses failed': { status: 200, type: 'text/event-stream; charset=utf-8', body: shapeFixture('responses-stream-failed.txt') },
  'POST /v1/responses ok': { status: 200, type: 'application/json', body: shapeFixture('responses-nonstream.json') },
  'POST /api/chat stream-error': { status: 200, type: 'application/x-ndjson', body: shapeFixture('ollama-stream-error.ndjson') },
  'POST /api/chat thinking-tool': { status: 200, type: 'application/x-ndjson', body: shapeFixture('ollama-chat-thinking-tool.ndjson') },
  'POST /api/generate ok': { status: 200, type: 'application/json; charset=utf-8', body: shapeFixture('ollama-generate-nonstream.json') },
  'POST /api/embed ok': { status: 200, type: 'application/json; charset=utf-8', body: shapeFixture('ollama-embed.json') },
  'GET /api/tags ok': { status: 200, type: 'application/json; charset=utf-8', body: shapeFixture('ollama-tags.json') },
  'POST /api/pull ok': { status: 200, type: 'application/x-ndjson', body: Buffer.from('{"status":"pulling manifest"}\n{"status":"pulling abc","digest":"sha256:abc","total":100,"completed":50}\n{"status":"success"}\n') },
};

describe('API shapes through the proxy: errors, non-streamed bodies, Ollama pass-through', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream((req: IncomingMessage, res: ServerResponse) => {
      const route = ROUTES[`${req.method} ${req.url} ${String(req.headers['x-scenario'])}`];
      if (route === undefined) {
        res.writeHead(418);
        res.end();
        return;
      }
      res.writeHead(route.status, { 'content-type': route.type });
      res.end(route.body);
    });
    service = await startTestService({ upstreamUrl: upstream.url });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  /** Sends one request; checks the client got the upstream's bytes; returns its row. */
  async function exchange(method: 'GET' | 'POST', path: string, scenario: string, body?: unknown) {
    const count = await service.rowCount();
    const res = await request(`${service.proxyUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-scenario': scenario },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const route = ROUTES[`${method} ${path} ${scenario}`]!;
    assert.equal(res.statusCode, route.status);
    assert.ok(Buffer.from(await res.body.arrayBuffer()).equals(route.body), 'body passed through unchanged');
    return service.rowAfter(count);
  }

  it('Anthropic: an error event mid-stream is a stream_error with its message; input usage is kept', async () => {
    const row = await exchange('POST', '/v1/messages', 'stream-error', { model: 'claude', stream: true, messages: [] });
    assert.deepEqual([row.is_error, row.error_type, row.error_message, row.status_code], [true, 'stream_error', 'Overloaded', 200]);
    assert.equal(row.input_tokens, 412);
    assert.ok(row.ttft_ms !== null);
  });

  it('Anthropic: an error body is an upstream_status error with the message', async () => {
    const row = await exchange('POST', '/v1/messages', 'too-long', { model: 'claude', messages: [] });
    assert.deepEqual([row.is_error, row.error_type, row.error_message], [true, 'upstream_status', 'prompt is too long: 208451 tokens > 200000 maximum']);
  });

  it('Anthropic: a non-streamed answer counts cache reads and writes into input, and keeps them apart', async () => {
    const row = await exchange('POST', '/v1/messages', 'ok', { model: 'claude-sonnet-4-5', messages: [] });
    assert.deepEqual(
      [row.input_tokens, row.output_tokens, row.cached_input_tokens, row.cache_creation_input_tokens, row.finish_reason, row.response_model],
      [12 + 1536 + 4096, 58, 4096, 1536, 'end_turn', 'claude-sonnet-4-5-20250929'],
    );
  });

  it('Responses: response.failed is a stream_error with its message', async () => {
    const row = await exchange('POST', '/v1/responses', 'failed', { model: 'gpt-4.1-mini', stream: true, input: 'x' });
    assert.deepEqual([row.is_error, row.error_type, row.finish_reason, row.usage_source], [true, 'stream_error', 'failed', 'none']);
    assert.match(row.error_message ?? '', /^An error occurred while processing your request/);
  });

  it('Responses: a non-streamed answer gives usage with cached and reasoning tokens', async () => {
    const row = await exchange('POST', '/v1/responses', 'ok', { model: 'gpt-5-mini', input: [{ role: 'user', content: 'x' }, { role: 'user', content: 'y' }] });
    assert.deepEqual(
      [row.input_tokens, row.output_tokens, row.cached_input_tokens, row.reasoning_tokens, row.finish_reason, row.message_count],
      [1843, 274, 1664, 192, 'completed', 2],
    );
  });

  it('Ollama: an {"error": …} line is a stream_error; /api/chat streams unless told not to', async () => {
    const row = await exchange('POST', '/api/chat', 'stream-error', { model: 'llama3.2', messages: [] });
    assert.deepEqual([row.was_streamed, row.is_error, row.error_type, row.error_message], [true, true, 'stream_error', 'an error was encountered while running the model: unexpected EOF']);
  });

  it('Ollama: thinking counts as first content, tool calls and backend timings are recorded', async () => {
    const row = await exchange('POST', '/api/chat', 'thinking-tool', { model: 'qwen3:8b', messages: [{ role: 'user', content: 'x' }] });
    assert.deepEqual([row.input_tokens, row.output_tokens, row.tool_calls, row.finish_reason], [163, 34, 1, 'stop']);
    assert.deepEqual([row.backend_load_ms, row.backend_prompt_ms, row.backend_generation_ms, row.backend_total_ms], [2871.442, 96.315, 829.203, 3798.167]);
    assert.equal(row.backend_tokens_per_second, Math.round((34 / 0.829203479) * 1000) / 1000);
    assert.ok(row.ttft_ms !== null && row.message_count === 1);
  });

  it('Ollama: non-streamed /api/generate and /api/embed give usage and timings', async () => {
    const generate = await exchange('POST', '/api/generate', 'ok', { model: 'qwen2.5vl:7b', prompt: 'x', stream: false });
    assert.deepEqual([generate.was_streamed, generate.input_tokens, generate.output_tokens, generate.backend_generation_ms], [false, 27, 13, 379.816]);
    const embed = await exchange('POST', '/api/embed', 'ok', { model: 'all-minilm', input: 'x' });
    assert.deepEqual([embed.was_streamed, embed.input_tokens, embed.output_tokens, embed.backend_total_ms], [false, 8, 0, 18.274]);
  });

  it('Ollama: the rest of /api/* passes through untouched and is recorded without usage', async () => {
    const tags = await exchange('GET', '/api/tags', 'ok');
    assert.deepEqual([tags.endpoint, tags.usage_source, tags.input_tokens, tags.is_error], ['/api/tags', 'none', null, false]);
    const pull = await exchange('POST', '/api/pull', 'ok', { model: 'llama3.2' });
    assert.deepEqual([pull.endpoint, pull.usage_source, pull.is_error], ['/api/pull', 'none', false]);
  });
});

describe('PROXY_PATHS', () => {
  it('proxies only the configured prefixes', async () => {
    const upstream = await startFakeUpstream();
    const service = await startTestService({ upstreamUrl: upstream.url, proxyPathPrefixes: ['/v1/'] });
    try {
      const api = await request(`${service.proxyUrl}/api/tags`);
      assert.equal(api.statusCode, 404);
      assert.match(await api.body.text(), /serves \/v1\/\* and \/health/);
      const v1 = await request(`${service.proxyUrl}/v1/models`);
      assert.equal(v1.statusCode, 200);
      await v1.body.text();
      assert.deepEqual(upstream.received.map((r) => r.url), ['/v1/models']);
    } finally {
      await service.dispose();
      await upstream.close();
    }
  });
});
