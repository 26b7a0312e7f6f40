/**
 * `GET /metrics/prometheus` after a known mix of traffic: metric names, types and labels, bucket
 * counts equal to the requests sent, `_sum` equal to the recorded durations and tokens, the
 * in-flight gauge during a request, and `promtool check metrics` on the text.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { deferred } from '../helpers/raw-http.js';
import { sendSse, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { MIX, MIX_GEN_AI, MIX_TOTAL, mixUpstream, sendMix } from '../helpers/metrics-traffic.js';
import { parseExposition, samplesOf, valueOf, type MetricFamily } from '../helpers/prometheus-text.js';
import { startTestService, type TestService } from '../helpers/service.js';

const PROMTOOL = '/usr/bin/promtool';
const CHAT_A = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai', gen_ai_request_model: 'chat-a', gen_ai_response_model: 'chat-a-q4' };
const CHAT_B = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai', gen_ai_request_model: 'chat-b', gen_ai_response_model: 'chat-b' };

async function scrape(service: TestService): Promise<{ text: string; families: Map<string, MetricFamily>; contentType: string | null }> {
  const res = await fetch(`${service.adminUrl}/metrics/prometheus`);
  assert.equal(res.status, 200);
  const text = await res.text();
  return { text, families: parseExposition(text), contentType: res.headers.get('content-type') };
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);

describe('Prometheus exposition after traffic', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  let rows: StoredRequest[];
  let text: string;
  let families: Map<string, MetricFamily>;

  before(async () => {
    upstream = await startFakeUpstream(mixUpstream);
    service = await startTestService({ upstreamUrl: upstream.url });
    await sendMix(service.proxyUrl);
    rows = await service.rows(MIX_TOTAL);
    ({ text, families } = await scrape(service));
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('serves text format 0.0.4 with every metric of the issue, each with its type', async () => {
    const { contentType } = await scrape(service);
    assert.equal(contentType, 'text/plain; version=0.0.4; charset=utf-8');
    const expected: Record<string, string> = {
      gen_ai_client_operation_duration_seconds: 'histogram',
      gen_ai_client_token_usage: 'histogram',
      gen_ai_server_time_to_first_token_seconds: 'histogram',
      gen_ai_server_time_per_output_token_seconds: 'histogram',
      llm_proxy_requests_total: 'counter',
      llm_proxy_requests_in_flight: 'gauge',
      llm_proxy_upstream_errors_total: 'counter',
      llm_proxy_added_latency_seconds: 'histogram',
      llm_proxy_tokens_total: 'counter',
      llm_proxy_recorder_queue_depth: 'gauge',
      llm_proxy_recorder_flushed_records_total: 'counter',
      llm_proxy_recorder_dropped_records_total: 'counter',
      llm_proxy_store_write_duration_seconds: 'histogram',
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal(families.get(name)?.type, type, `${name} is a ${type}`);
      assert.notEqual(families.get(name)?.help, '', `${name} has help text`);
    }
  });

  it('labels the GenAI histograms with the semantic-convention attributes', () => {
    const labelNames = (family: string): string[] => [...new Set(families.get(family)?.samples.flatMap((s) => Object.keys(s.labels)))].sort();
    assert.deepEqual(labelNames('gen_ai_client_operation_duration_seconds'), ['error_type', 'gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model', 'le']);
    assert.deepEqual(labelNames('gen_ai_client_token_usage'), ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model', 'gen_ai_token_type', 'le']);
    assert.deepEqual(labelNames('llm_proxy_requests_total'), ['endpoint', 'error_type', 'model', 'status_code', 'streamed']);
    const operations = new Set(families.get('gen_ai_client_operation_duration_seconds')?.samples.map((s) => s.labels.gen_ai_operation_name));
    assert.deepEqual([...operations].sort(), ['chat', 'embeddings']);
  });

  it('counts every request once, by model, endpoint, status code, streamed and error type', () => {
    const name = 'llm_proxy_requests_total';
    assert.equal(sum(samplesOf(families, name, name).map((s) => s.value)), MIX_TOTAL);
    const chatA = { model: 'chat-a', endpoint: '/v1/chat/completions', streamed: 'false' };
    assert.equal(valueOf(families, name, name, { ...chatA, status_code: '200', error_type: '' }), MIX.chats);
    assert.equal(valueOf(families, name, name, { ...chatA, status_code: '500', error_type: 'upstream_status' }), MIX.failures);
    assert.equal(valueOf(families, name, name, { model: 'chat-b', streamed: 'true', status_code: '200' }), MIX.streams);
    assert.equal(valueOf(families, name, name, { model: '', endpoint: '/v1/models', status_code: '200' }), MIX.modelLists);
    assert.equal(valueOf(families, 'llm_proxy_upstream_errors_total', 'llm_proxy_upstream_errors_total', { error_type: 'upstream_status' }), MIX.failures);
  });

  it('has operation-duration bucket counts equal to the GenAI requests sent, and _sum equal to their recorded durations', () => {
    const family = 'gen_ai_client_operation_duration_seconds';
    const counts = samplesOf(families, family, `${family}_count`);
    assert.equal(sum(counts.map((s) => s.value)), MIX_GEN_AI);
    assert.equal(valueOf(families, family, `${family}_count`, { ...CHAT_A, error_type: '' }), MIX.chats);
    assert.equal(valueOf(families, family, `${family}_count`, { ...CHAT_B, error_type: '' }), MIX.streams);
    assert.equal(valueOf(families, family, `${family}_count`, { gen_ai_request_model: 'chat-a', gen_ai_response_model: '', error_type: 'upstream_status' }), MIX.failures);
    for (const count of counts) {
      const buckets = samplesOf(families, family, `${family}_bucket`, count.labels);
      assert.equal(buckets.at(-1)?.labels.le, '+Inf');
      assert.equal(buckets.at(-1)?.value, count.value, 'the +Inf bucket holds every observation');
      for (let i = 1; i < buckets.length; i++) assert.ok((buckets[i] as { value: number }).value >= (buckets[i - 1] as { value: number }).value, 'buckets are cumulative');
    }
    const genAiRows = rows.filter((r) => r.endpoint !== '/v1/models');
    close(sum(samplesOf(families, family, `${family}_sum`).map((s) => s.value)), sum(genAiRows.map((r) => r.duration_ms)) / 1000, 'duration _sum');
    // Each row's duration falls in the bucket range its histogram says.
    const chatADurations = genAiRows.filter((r) => r.model === 'chat-a' && !r.is_error).map((r) => r.duration_ms / 1000);
    for (const bucket of samplesOf(families, family, `${family}_bucket`, { ...CHAT_A, error_type: '' })) {
      const le = bucket.labels.le === '+Inf' ? Infinity : Number(bucket.labels.le);
      assert.equal(bucket.value, chatADurations.filter((d) => d <= le).length, `bucket le=${bucket.labels.le}`);
    }
  });

  it('observes reported tokens per request and counts them by type', () => {
    const family = 'gen_ai_client_token_usage';
    assert.equal(valueOf(families, family, `${family}_count`, { ...CHAT_A, gen_ai_token_type: 'input' }), MIX.chats);
    assert.equal(valueOf(families, family, `${family}_sum`, { ...CHAT_A, gen_ai_token_type: 'input' }), 5 * MIX.chats);
    assert.equal(valueOf(families, family, `${family}_sum`, { ...CHAT_A, gen_ai_token_type: 'output' }), 7 * MIX.chats);
    assert.equal(valueOf(families, family, `${family}_sum`, { ...CHAT_B, gen_ai_token_type: 'output' }), 9 * MIX.streams);
    assert.equal(valueOf(families, family, `${family}_sum`, { gen_ai_operation_name: 'embeddings', gen_ai_token_type: 'input' }), 8 * MIX.embeddings);
    const tokens = 'llm_proxy_tokens_total';
    assert.equal(valueOf(families, tokens, tokens, { model: 'chat-a', token_type: 'input' }), 5 * MIX.chats);
    assert.equal(valueOf(families, tokens, tokens, { model: 'chat-b', token_type: 'output' }), 9 * MIX.streams);
    assert.equal(valueOf(families, tokens, tokens, { model: 'chat-b', token_type: 'cached_input' }), 2 * MIX.streams);
    assert.equal(valueOf(families, tokens, tokens, { model: 'chat-b', token_type: 'reasoning' }), 3 * MIX.streams);
    const recordedInput = sum(rows.map((r) => r.input_tokens ?? 0));
    assert.equal(sum(samplesOf(families, tokens, tokens, { token_type: 'input' }).map((s) => s.value)), recordedInput);
  });

  it('times first tokens and output tokens of the successful streams only', () => {
    const ttft = 'gen_ai_server_time_to_first_token_seconds';
    const streamRows = rows.filter((r) => r.was_streamed);
    assert.equal(sum(samplesOf(families, ttft, `${ttft}_count`).map((s) => s.value)), MIX.streams);
    close(valueOf(families, ttft, `${ttft}_sum`, CHAT_B), sum(streamRows.map((r) => r.ttft_ms ?? NaN)) / 1000, 'TTFT _sum');
    const tpot = 'gen_ai_server_time_per_output_token_seconds';
    const expected = sum(streamRows.map((r) => (r.duration_ms - (r.ttft_ms as number)) / 1000 / ((r.output_tokens as number) - 1)));
    assert.equal(valueOf(families, tpot, `${tpot}_count`, CHAT_B), MIX.streams);
    close(valueOf(families, tpot, `${tpot}_sum`, CHAT_B), expected, 'time per output token _sum');
  });

  it("measures the proxy's added latency for every request, below each request's duration", () => {
    const family = 'llm_proxy_added_latency_seconds';
    assert.equal(valueOf(families, family, `${family}_count`, {}), MIX_TOTAL);
    const added = valueOf(families, family, `${family}_sum`, {});
    assert.ok(added > 0 && added < sum(rows.map((r) => r.duration_ms)) / 1000, `added latency ${added} s`);
  });

  it('reports the recorder: rows flushed, none dropped, none queued, write durations', () => {
    assert.equal(valueOf(families, 'llm_proxy_recorder_flushed_records_total', 'llm_proxy_recorder_flushed_records_total', {}), MIX_TOTAL);
    assert.equal(valueOf(families, 'llm_proxy_recorder_dropped_records_total', 'llm_proxy_recorder_dropped_records_total', {}), 0);
    assert.equal(valueOf(families, 'llm_proxy_recorder_queue_depth', 'llm_proxy_recorder_queue_depth', {}), 0);
    const writes = valueOf(families, 'llm_proxy_store_write_duration_seconds', 'llm_proxy_store_write_duration_seconds_count', {});
    assert.ok(writes >= 1 && writes <= MIX_TOTAL, `${writes} writes`);
  });

  it('shows a running request in the in-flight gauge, and not once it has ended', async () => {
    const release = deferred();
    upstream.handle(async (_req, res) => {
      await release.promise;
      await sendSse(res, [{ data: '[DONE]' }]);
    });
    const pending = fetch(`${service.proxyUrl}/v1/chat/completions`, { method: 'POST', body: '{"model":"slow","stream":true}' });
    const gauge = 'llm_proxy_requests_in_flight';
    const deadline = Date.now() + 5000;
    while (valueOf((await scrape(service)).families, gauge, gauge, {}) !== 1) {
      assert.ok(Date.now() < deadline, 'the request shows as in flight');
      await new Promise((r) => setTimeout(r, 10));
    }
    release.resolve();
    await (await pending).text();
    await service.rows(MIX_TOTAL + 1);
    assert.equal(valueOf((await scrape(service)).families, gauge, gauge, {}), 0);
    upstream.handle(mixUpstream);
  });

  it('passes promtool check metrics', (t) => {
    if (!existsSync(PROMTOOL)) {
      t.skip(`${PROMTOOL} is missing: apt-get install prometheus (.ci/run installs it)`);
      return;
    }
    const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.notEqual(result.status, 1, `promtool could not parse the exposition: ${result.stderr}`);
    // prom-client's default metrics include three gauges named *_total, which promtool's linter
    // flags; nothing of this project's own may be flagged.
    const KNOWN_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];
    const findings = `${result.stdout}${result.stderr}`.split('\n').filter((l) => l.trim() !== '');
    const ours = findings.filter((line) => !KNOWN_DEFAULTS.some((name) => line.startsWith(`${name} `)));
    assert.deepEqual(ours, [], 'promtool findings');
  });
});
