/**
 * The service under a dashboard test: a fake OpenAI-compatible upstream (chat completions, streamed
 * with or without usage, embeddings, a model that always fails), the real service in this process,
 * and real client traffic through the official openai SDK. History older than "now" is written
 * straight to the store (the proxy stamps every request with the current time).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import OpenAI from 'openai';
import type { RequestRecord } from '../../../src/domain/request-record.js';
import { chatChunk, chatCompletion, usageChunk } from '../../helpers/chunks.js';
import { sendJson, sendSse, sleep, startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../../helpers/service.js';

export const FAILING_MODEL = 'broken-model';

export interface DashboardService {
  readonly upstream: FakeUpstream;
  readonly service: TestService;
  /** GET a path of the admin API from the test, as JSON. */
  api<T = any>(path: string): Promise<T>;
  close(): Promise<void>;
}

export async function startDashboardService(): Promise<DashboardService> {
  const upstream = await startFakeUpstream(answer);
  // The service's temp dir does not exist before it starts: the price file goes beside it.
  const pricesFile = join(process.env.TMPDIR ?? '/tmp', `lmp-e2e-prices-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(pricesFile, 'models:\n  llama3.2: { input: 0.5, output: 1.5 }\n  qwen2.5*: { input: 2, output: 6 }\n');
  const service = await startTestService({ upstreamUrl: upstream.url, pricesFile });
  return {
    upstream,
    service,
    async api(path) {
      const response = await fetch(new URL(path, `${service.adminUrl}/`));
      if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
      return (await response.json()) as any;
    },
    async close() {
      await service.dispose();
      await upstream.close();
    },
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const request = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, any>) : {};
  const model = String(request.model ?? 'unknown');
  await sleep(5 + (body.length % 7) * 3); // durations that differ a little from request to request
  if (model === FAILING_MODEL) {
    sendJson(res, 500, { error: { message: 'the model crashed', type: 'server_error', code: null } });
  } else if (req.url?.endsWith('/embeddings')) {
    sendJson(res, 200, { object: 'list', model, data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 6, total_tokens: 6 } });
  } else if (request.stream === true) {
    const words = ['Hello', ' there', ', how', ' can', ' I', ' help?'];
    const events = [
      { data: chatChunk({ role: 'assistant', content: '' }, null, model), delayMs: 15 },
      ...words.map((w) => ({ data: chatChunk({ content: w }, null, model), delayMs: 4 })),
      { data: chatChunk({}, 'stop', model) },
      ...(request.stream_options?.include_usage === true ? [{ data: usageChunk(21, words.length, model) }] : []),
      { data: '[DONE]' },
    ];
    await sendSse(res, events);
  } else {
    sendJson(res, 200, chatCompletion('Hello!', 12 + (body.length % 5), 30, model));
  }
}

const KEY_A = 'sk-team-a-0123456789';
const KEY_B = 'sk-team-b-9876543210';

function client(proxyUrl: string, apiKey: string, headers: Record<string, string> = {}): OpenAI {
  return new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey, defaultHeaders: headers, maxRetries: 0 });
}

const chat = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'Hi' }] });

/**
 * 18 requests: llama3.2 (4 plain, 3 streamed with usage, 2 streamed without), qwen2.5:14b
 * (3 plain, 2 streamed with usage), 2 failures of broken-model, 2 embeddings; two keys, two
 * users, a team tag on some.
 */
export async function sendTraffic(proxyUrl: string): Promise<number> {
  const alice = client(proxyUrl, KEY_A, { 'X-User-Id': 'alice', 'X-Metrics-Tag-Team': 'red' });
  const bob = client(proxyUrl, KEY_B, { 'X-User-Id': 'bob' });
  const calls: Array<Promise<unknown>> = [];
  for (let i = 0; i < 4; i++) calls.push(alice.chat.completions.create(chat('llama3.2')));
  for (let i = 0; i < 3; i++) calls.push(drain(alice.chat.completions.create({ ...chat('llama3.2'), stream: true, stream_options: { include_usage: true } })));
  for (let i = 0; i < 2; i++) calls.push(drain(bob.chat.completions.create({ ...chat('llama3.2'), stream: true })));
  for (let i = 0; i < 3; i++) calls.push(bob.chat.completions.create(chat('qwen2.5:14b')));
  for (let i = 0; i < 2; i++) calls.push(drain(bob.chat.completions.create({ ...chat('qwen2.5:14b'), stream: true, stream_options: { include_usage: true } })));
  for (let i = 0; i < 2; i++) calls.push(alice.chat.completions.create(chat(FAILING_MODEL)).catch(() => 'failed as intended'));
  for (let i = 0; i < 2; i++) calls.push(bob.embeddings.create({ model: 'nomic-embed-text', input: 'some text' }));
  await Promise.all(calls);
  return calls.length;
}

async function drain(stream: Promise<AsyncIterable<unknown>>): Promise<void> {
  for await (const _chunk of await stream) {
    // read to the end so the exchange completes
  }
}

/**
 * A dashboard service holding the live traffic of sendTraffic plus pastRecords (a previous period
 * to compare with and older history), every row stored; `traffic` is how many requests were sent.
 */
export async function startServiceWithHistory(): Promise<{ svc: DashboardService; traffic: number }> {
  const svc = await startDashboardService();
  const traffic = await sendTraffic(svc.service.proxyUrl);
  await svc.service.store.recordBatch(pastRecords(Date.now()));
  await svc.service.rows(traffic + 10);
  return { svc, traffic };
}

/** Records written directly with a start time in the past (the previous period, older history). */
export function pastRecords(now: number): RequestRecord[] {
  const HOUR = 3_600_000;
  const base = (hoursAgo: number, i: number): RequestRecord => ({
    start_time: now - hoursAgo * HOUR - i * 1000,
    method: 'POST', endpoint: '/v1/chat/completions', model: i % 3 === 0 ? 'qwen2.5:14b' : 'llama3.2', response_model: null,
    status_code: 200, is_error: false, error_type: null, error_message: null, was_streamed: i % 2 === 0,
    input_tokens: 40, output_tokens: 80, total_tokens: 120, cached_input_tokens: null, reasoning_tokens: null,
    usage_source: 'reported', ttft_ms: i % 2 === 0 ? 150 + i : null, ttlt_ms: i % 2 === 0 ? 600 + i : null,
    duration_ms: 700 + 10 * i, tokens_per_second: 30 + i, finish_reason: 'stop', message_count: 1, origin: null,
    api_key_id: null, user: 'carol', tags: {}, cost_usd: 0.0002,
  });
  // 6 in the previous 24 h (30 h ago), 4 a few days ago (only "7 d", "30 d" and "all" see them).
  return [...[0, 1, 2, 3, 4, 5].map((i) => base(30, i)), ...[0, 1, 2, 3].map((i) => base(80, i))];
}
