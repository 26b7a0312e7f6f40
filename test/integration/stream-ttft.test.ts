import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, chatCompletion, usageChunk } from '../helpers/chunks.js';
import { waitUntil } from '../helpers/raw-http.js';

/**
 * Time to first token and generation speed under controlled upstream timing.
 *
 * Timing model. The upstream runs in this process and shares `performance.now()` with the proxy.
 * It waits with `waitUntil` (never early, unlike a bare setTimeout, which may fire up to ~1 ms
 * early) and measures each pause from the moment it actually wrote the previous chunk, so on the
 * upstream side every stated gap is a lower bound. The proxy's clock starts when it receives the
 * request, before the upstream handler even runs, so `ttft_ms` and `duration_ms` are at least the
 * upstream's own waits. What can only make values larger: timer lateness and event-loop stalls.
 */

const sse = (data: string): string => `data: ${data}\n\n`;
/** Slack for a noisy machine on top of a stated delay, for upper bounds only. */
const SLACK_MS = 150;

/** Writes `data` as one SSE event; returns performance.now() just before the write. */
function send(res: ServerResponse, data: string): number {
  const at = performance.now();
  res.write(sse(data));
  return at;
}

function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

describe('time to first token and tokens per second', () => {
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


  async function drainChat(body: Parameters<typeof client.chat.completions.create>[0] & { stream: true }): Promise<void> {
    const stream = await client.chat.completions.create(body);
    for await (const chunk of stream) void chunk;
  }

  it('measures ttft at the first content chunk, not at the headers or the role chunk, and tokens/s over the content window', async (t) => {
    const writes: number[] = [];
    upstream.handle(async (_req, res) => {
      const t0 = performance.now();
      startSse(res); // headers at once, as llama.cpp does
      send(res, chatChunk({ role: 'assistant', content: '' })); // role only: no generated content
      await waitUntil(t0 + 300);
      let last = send(res, chatChunk({ content: 'one' }));
      writes.push(last);
      for (const word of [' two', ' three', ' four', ' five']) {
        await waitUntil(last + 50);
        last = send(res, chatChunk({ content: word }));
        writes.push(last);
      }
      await waitUntil(last + 100); // the finish and usage chunks carry no content
      send(res, chatChunk({}, 'stop'));
      send(res, usageChunk(9, 5));
      res.end(sse('[DONE]'));
    });
    const count = await service.rowCount();
    await drainChat({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'count' }] });
    const row = await service.rowAfter(count);
    t.diagnostic(`ttft_ms=${row.ttft_ms} tokens_per_second=${row.tokens_per_second} duration_ms=${row.duration_ms} upstream window=${((writes[4] ?? 0) - (writes[0] ?? 0)).toFixed(3)} ms`);
    assert.equal(row.usage_source, 'reported');
    assert.equal(row.output_tokens, 5);
    assert.equal(writes.length, 5);
    assert.ok((writes[4] as number) - (writes[0] as number) >= 200, 'the upstream kept its own schedule');

    // The first content chunk left the upstream ≥ 300 ms after the upstream got the request, which
    // is after the proxy got it. A ttft taken at the headers or the role chunk would be ~0-10 ms.
    assert.ok(row.ttft_ms !== null && row.ttft_ms >= 300, `ttft_ms ${row.ttft_ms} < 300: measured before the first content`);
    assert.ok(row.ttft_ms < 300 + SLACK_MS, `ttft_ms ${row.ttft_ms} ≥ ${300 + SLACK_MS}`);

    // tokens_per_second = output_tokens / (last content arrival − first content arrival). The
    // upstream wrote content 1 and content 5 ≥ 200 ms apart (4 gaps of ≥ 50 ms each, measured from
    // the actual writes), so the ideal is 5 / 0.2 = 25 tok/s.
    // - Upper bound 25 × 1.05 = 26.25 (window ≥ 190.5 ms): the window can come out below 200 ms only
    //   if content 1 took longer to reach the proxy than content 5 did; 9.5 ms of such skew is
    //   allowed, and nothing else can shrink it.
    // - Lower bound 25 × 0.7 = 17.5 (window ≤ 285.7 ms): late timers or a stalled event loop
    //   stretch the window; up to ~86 ms of accumulated lateness is tolerated.
    // A window starting at the headers or the role chunk (≥ 500 ms → ≤ 10 tok/s), ending at the
    // finish/usage chunks 100 ms after the last content (≥ 300 ms → ≤ 16.7 tok/s) or spanning the
    // whole duration fails the lower bound.
    assert.ok(row.tokens_per_second !== null, 'tokens_per_second missing');
    assert.ok(row.tokens_per_second >= (5 / 0.2) * 0.7, `tokens_per_second ${row.tokens_per_second} < 17.5`);
    assert.ok(row.tokens_per_second <= (5 / 0.2) * 1.05, `tokens_per_second ${row.tokens_per_second} > 26.25`);

    // 300 ms to the first content + 4 × 50 ms between contents (+ 100 ms to the finish chunk), all
    // upstream-side lower bounds.
    assert.ok(row.duration_ms >= 500, `duration_ms ${row.duration_ms} < 500`);
    assert.ok(row.duration_ms >= row.ttft_ms + 200);
  });

  it('measures ttft at the first tool-call delta of a tool-call-only stream (content null)', async () => {
    upstream.handle(async (_req, res) => {
      const t0 = performance.now();
      startSse(res);
      send(res, chatChunk({ role: 'assistant', content: null }));
      await waitUntil(t0 + 200);
      const first = send(res, chatChunk({ content: null, tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }));
      await waitUntil(first + 300); // later deltas at ≥ 500 ms: a ttft taken there fails the upper bound
      send(res, chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }));
      send(res, chatChunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }));
      send(res, chatChunk({}, 'tool_calls'));
      send(res, usageChunk(30, 12));
      res.end(sse('[DONE]'));
    });
    const count = await service.rowCount();
    const stream = await client.chat.completions.create({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [{ role: 'user', content: 'weather?' }],
    });
    let args = '';
    for await (const chunk of stream) args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    assert.equal(args, '{"city":"Paris"}');
    const row = await service.rowAfter(count);
    assert.equal(row.finish_reason, 'tool_calls');
    assert.ok(row.ttft_ms !== null && row.ttft_ms >= 200, `ttft_ms ${row.ttft_ms} < 200`);
    assert.ok(row.ttft_ms < 200 + SLACK_MS, `ttft_ms ${row.ttft_ms} ≥ ${200 + SLACK_MS}: not taken at the first tool-call delta`);
  });

  it('measures ttft at the first reasoning_content delta of a reasoning stream', async () => {
    upstream.handle(async (_req, res) => {
      const t0 = performance.now();
      startSse(res);
      send(res, chatChunk({ role: 'assistant', content: null }));
      await waitUntil(t0 + 200);
      const first = send(res, chatChunk({ reasoning_content: 'Let me think.' }));
      await waitUntil(first + 300); // the answer itself starts at ≥ 500 ms
      send(res, chatChunk({ content: '42' }));
      send(res, chatChunk({}, 'stop'));
      send(res, usageChunk(10, 7));
      res.end(sse('[DONE]'));
    });
    const count = await service.rowCount();
    await drainChat({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'answer?' }] });
    const row = await service.rowAfter(count);
    assert.equal(row.output_tokens, 7);
    assert.ok(row.ttft_ms !== null && row.ttft_ms >= 200, `ttft_ms ${row.ttft_ms} < 200`);
    assert.ok(row.ttft_ms < 200 + SLACK_MS, `ttft_ms ${row.ttft_ms} ≥ ${200 + SLACK_MS}: not taken at the first reasoning delta`);
  });

  it('records ttft_ms null for a non-streamed request and tokens_per_second = output_tokens / duration', async () => {
    upstream.handle(async (_req, res) => {
      await waitUntil(performance.now() + 200);
      sendJson(res, 200, chatCompletion('twenty tokens later', 12, 20));
    });
    const count = await service.rowCount();
    const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(r.choices[0]?.message.content, 'twenty tokens later');
    const row = await service.rowAfter(count);
    assert.equal(row.was_streamed, false);
    assert.strictEqual(row.ttft_ms, null);
    assert.equal(row.output_tokens, 20);
    assert.ok(row.duration_ms >= 200, `duration_ms ${row.duration_ms} < 200`);
    assert.ok(row.tokens_per_second !== null);
    // Both stored values are rounded to 0.001: duration by ≤ 0.0005 ms, which moves 20000/duration
    // by ≤ 20000 × 0.0005 / 200² = 0.00025, plus ≤ 0.0005 from rounding the rate itself.
    const expected = row.output_tokens / (row.duration_ms / 1000);
    assert.ok(Math.abs(row.tokens_per_second - expected) <= 0.001, `tokens_per_second ${row.tokens_per_second} ≠ 20 / ${row.duration_ms} ms = ${expected}`);
  });
});
