import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, usageChunk } from '../helpers/chunks.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import type { ModelStats, Summary } from '../../src/api/stats-shapes.js';

/** 100 concurrent streams: one row each, every row with its own request's model and tokens. */

const N = 100;
/** Request i (1..N) uses model `m-<i>`, and the upstream reports prompt i, completion i+1 for it. */
const model = (i: number): string => `m-${i}`;
const WORDS = ['alpha ', 'beta ', 'gamma ', 'delta ', 'omega'];

describe('concurrency: 100 simultaneous streams', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let maxInflight = 0;

  before(async () => {
    let inflight = 0;
    let arrivedCount = 0;
    let releaseAll: () => void = () => undefined;
    /** Every stream holds its content until all N requests are at the upstream: N streams open at once. */
    const allArrived = new Promise<void>((resolve) => (releaseAll = resolve));
    upstream = await startFakeUpstream(async (_req, res, body) => {
      const request = JSON.parse(body.toString()) as { model: string };
      const i = Number(request.model.slice('m-'.length));
      inflight++;
      maxInflight = Math.max(maxInflight, inflight);
      res.once('close', () => inflight--);
      if (++arrivedCount === 1) setTimeout(releaseAll, 10_000).unref(); // never wait forever if some never arrive
      if (arrivedCount === N) releaseAll();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      await allArrived;
      // Delays vary with i so the streams interleave rather than finish in request order.
      const delay = (k: number): number => 5 + ((i * 7 + k * 13) % 20);
      const events = [
        chatChunk({ role: 'assistant', content: '' }, null, request.model),
        ...WORDS.map((w) => chatChunk({ content: w }, null, request.model)),
        chatChunk({}, 'stop', request.model),
        usageChunk(i, i + 1, request.model),
        '[DONE]',
      ];
      for (const [k, data] of events.entries()) {
        await sleep(delay(k));
        res.write(`data: ${data}\n\n`);
      }
      res.end();
    });
    service = await startTestService({ upstreamUrl: upstream.url });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('every client gets its own stream, and exactly one row per request carries that request’s model and tokens', { timeout: 60_000 }, async () => {
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 30_000 });
    const results = await Promise.all(
      Array.from({ length: N }, async (_, index) => {
        const i = index + 1;
        const stream = await client.chat.completions.create({
          model: model(i),
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: `request ${i}` }],
        });
        let text = '';
        let usage: OpenAI.CompletionUsage | null | undefined;
        const models = new Set<string>();
        for await (const chunk of stream) {
          text += chunk.choices[0]?.delta.content ?? '';
          models.add(chunk.model);
          if (chunk.usage) usage = chunk.usage;
        }
        return { i, text, usage, models: [...models] };
      }),
    );
    for (const r of results) {
      assert.equal(r.text, WORDS.join(''), `client ${r.i} text`);
      assert.deepEqual(r.models, [model(r.i)], `client ${r.i} got only its own chunks`);
      assert.deepEqual(r.usage, { prompt_tokens: r.i, completion_tokens: r.i + 1, total_tokens: 2 * r.i + 1 });
    }
    assert.equal(upstream.received.length, N);
    assert.equal(maxInflight, N, 'all streams were open at the upstream at the same time');

    const rows = await service.rows(N, 10_000);
    // Let any stray extra row land, then check there are exactly N.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await service.recorder.flush();
    const all = await service.store.recent({ filter: {}, limit: 10 * N });
    assert.equal(all.length, N);
    assert.equal(rows.length, N);

    const byModel = new Map<string, StoredRequest>();
    for (const row of all) {
      assert.ok(row.model !== null, `row ${row.id} has no model`);
      assert.ok(!byModel.has(row.model), `two rows for ${row.model}`);
      byModel.set(row.model, row);
    }
    assert.equal(new Set(all.map((r) => r.id)).size, N);
    for (let i = 1; i <= N; i++) {
      const row = byModel.get(model(i));
      assert.ok(row, `no row for ${model(i)}`);
      assert.equal(row.input_tokens, i, `${model(i)} input_tokens`);
      assert.equal(row.output_tokens, i + 1, `${model(i)} output_tokens`);
      assert.equal(row.total_tokens, 2 * i + 1, `${model(i)} total_tokens`);
      assert.equal(row.usage_source, 'reported');
      assert.equal(row.response_model, model(i));
      assert.equal(row.status_code, 200);
      assert.equal(row.is_error, false);
      assert.equal(row.error_type, null);
      assert.equal(row.was_streamed, true);
      assert.equal(row.finish_reason, 'stop');
      assert.equal(row.endpoint, '/v1/chat/completions');
      assert.equal(typeof row.ttft_ms, 'number', `${model(i)} ttft_ms`);
      assert.equal(typeof row.tokens_per_second, 'number', `${model(i)} tokens_per_second`);
    }
  });

  it('/stats/summary totals equal the sums over the 100 requests', async () => {
    const res = await fetch(`${service.adminUrl}/stats/summary`);
    assert.equal(res.status, 200);
    const summary = (await res.json()) as Summary;
    const sumI = (N * (N + 1)) / 2; // 1 + … + N
    assert.equal(summary.total_requests, N);
    assert.equal(summary.successful_requests, N);
    assert.equal(summary.failed_requests, 0);
    assert.equal(summary.requests_with_usage, N);
    assert.equal(summary.streamed_requests, N);
    assert.equal(summary.total_input_tokens, sumI);
    assert.equal(summary.total_output_tokens, sumI + N);
    assert.equal(summary.total_tokens, 2 * sumI + N);
    assert.equal(summary.average_input_tokens, sumI / N);
    assert.equal(summary.average_output_tokens, (sumI + N) / N);
  });

  it('/stats/by-model has one request per model with that model’s tokens', async () => {
    const res = await fetch(`${service.adminUrl}/stats/by-model`);
    assert.equal(res.status, 200);
    const { models } = (await res.json()) as { models: ModelStats[] };
    assert.equal(models.length, N);
    for (let i = 1; i <= N; i++) {
      const m = models.find((s) => s.model === model(i));
      assert.ok(m, `no stats for ${model(i)}`);
      assert.equal(m.requests, 1);
      assert.equal(m.successful_requests, 1);
      assert.equal(m.input_tokens, i);
      assert.equal(m.output_tokens, i + 1);
      assert.equal(m.total_tokens, 2 * i + 1);
    }
  });
});
