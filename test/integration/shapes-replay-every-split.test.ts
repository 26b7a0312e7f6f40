/**
 * One recorded stream per API shape (OpenAI chat via llama.cpp, Responses, Anthropic Messages,
 * Ollama NDJSON) replayed through the real proxy by a fake upstream that sends it in two writes
 * split at every byte boundary. The second write waits until the client has received the first
 * through the proxy (so the proxy forwarded it unbuffered). Every split must give the same row:
 * same usage and outcome, and a TTFT that ends at the first write exactly when the first content
 * event was complete in it. The bounds are causal, not timing guesses (one process, one clock):
 * - first content in write 1: TTFT ≤ (client got write 1) − (client sent the request);
 * - first content in write 2: TTFT ≥ (upstream sent write 2) − (upstream got the request).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { llamaCppFixture, shapeFixture } from '../helpers/fixtures.js';
import { startTestService, type TestService } from '../helpers/service.js';
import type { RequestRecord } from '../../src/domain/request-record.js';

/** Requests in flight at once. */
const CONCURRENCY = 32;

/** Per request (by cut): the moments the bounds above are made of, and the go-ahead for write 2. */
interface Timeline {
  sent: number;
  upstreamGot: number;
  clientGotFirst: number;
  upstreamSentSecond: number;
  goAhead: () => void;
  wait: Promise<void>;
}

function timeline(): Timeline {
  let goAhead!: () => void;
  const wait = new Promise<void>((resolve) => (goAhead = resolve));
  return { sent: 0, upstreamGot: 0, clientGotFirst: 0, upstreamSentSecond: 0, goAhead, wait };
}

interface ReplayCase {
  name: string;
  bytes: Buffer;
  endpoint: string;
  contentType: string;
  /** Offset just past the first event/line carrying generated content. */
  firstContentEnd: number;
  expect: Partial<RequestRecord>;
}

function endOf(bytes: Buffer, separator: string, index: number): number {
  let end = 0;
  for (let i = 0; i <= index; i++) end = bytes.indexOf(separator, end) + separator.length;
  return end;
}

const llama = llamaCppFixture('resp-stream-usage.txt');
const responses = shapeFixture('responses-stream-failed.txt');
const anthropic = shapeFixture('anthropic-stream.txt');
const ollama = shapeFixture('ollama-chat-stream.ndjson');

const CASES: ReplayCase[] = [
  {
    name: 'OpenAI chat/completions (llama.cpp recording)', bytes: llama, endpoint: '/v1/chat/completions', contentType: 'text/event-stream',
    firstContentEnd: llama.indexOf('\n\n', llama.indexOf('" says"')) + 2,
    expect: { input_tokens: 26, output_tokens: 5, cached_input_tokens: 25, finish_reason: 'length', is_error: false, usage_source: 'reported' },
  },
  {
    name: 'OpenAI Responses, failing mid-stream', bytes: responses, endpoint: '/v1/responses', contentType: 'text/event-stream; charset=utf-8',
    firstContentEnd: endOf(responses, '\n\n', 4),
    expect: { input_tokens: null, output_tokens: null, finish_reason: 'failed', is_error: true, error_type: 'stream_error', usage_source: 'none' },
  },
  {
    name: 'Anthropic Messages', bytes: anthropic, endpoint: '/v1/messages', contentType: 'text/event-stream; charset=utf-8',
    firstContentEnd: endOf(anthropic, '\n\n', 3),
    expect: { input_tokens: 3227, output_tokens: 17, cached_input_tokens: 2806, cache_creation_input_tokens: 412, finish_reason: 'end_turn', is_error: false },
  },
  {
    name: 'Ollama /api/chat NDJSON', bytes: ollama, endpoint: '/api/chat', contentType: 'application/x-ndjson',
    firstContentEnd: endOf(ollama, '\n', 0),
    expect: { input_tokens: 36, output_tokens: 11, finish_reason: 'stop', backend_generation_ms: 126.87, backend_load_ms: 18.955, is_error: false },
  },
];

/** The `count` rows stored after the first `skip` (waits for them). */
async function rowsAfter(service: TestService, skip: number, count: number): Promise<RequestRecord[]> {
  const deadline = Date.now() + 30_000;
  while ((await service.rowCount()) < skip + count) {
    assert.ok(Date.now() < deadline, 'rows stored in time');
    await sleep(50);
  }
  const rows: RequestRecord[] = [];
  let afterId = 0;
  for (;;) {
    const page = await service.store.scan(afterId, 1000);
    if (page.length === 0) break;
    rows.push(...page.map((p) => p.record));
    afterId = page[page.length - 1]!.id;
  }
  assert.equal(rows.length, skip + count, 'no extra rows');
  return rows.slice(skip);
}

describe('every API shape replayed through the proxy, split at every byte boundary', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  const timelines = new Map<string, Timeline>();

  before(async () => {
    upstream = await startFakeUpstream(async (req: IncomingMessage, res: ServerResponse) => {
      const t = timelines.get(String(req.headers['x-user-id']))!;
      t.upstreamGot = performance.now();
      const c = CASES[Number(req.headers['x-case'])]!;
      const cut = Number(req.headers['x-cut']);
      res.writeHead(200, { 'content-type': c.contentType });
      res.write(c.bytes.subarray(0, cut));
      await t.wait;
      t.upstreamSentSecond = performance.now();
      res.end(c.bytes.subarray(cut));
    });
    service = await startTestService({ upstreamUrl: upstream.url });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  for (const [index, c] of CASES.entries()) {
    it(`${c.name}: ${c.bytes.length + 1} splits, one row each, all alike`, async () => {
      const before = await service.rowCount();
      const cuts = Array.from({ length: c.bytes.length + 1 }, (_, cut) => cut);
      timelines.clear();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cuts.length) {
          const cut = cuts[next++]!;
          const t = timeline();
          timelines.set(`cut-${cut}`, t);
          t.sent = performance.now();
          const res = await request(`${service.proxyUrl}${c.endpoint}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-case': String(index), 'x-cut': String(cut), 'x-user-id': `cut-${cut}` },
            body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
          });
          const parts: Buffer[] = [];
          let got = 0;
          const firstWriteArrived = (): void => {
            t.clientGotFirst = performance.now();
            t.goAhead();
          };
          if (cut === 0) firstWriteArrived();
          for await (const chunk of res.body) {
            parts.push(chunk as Buffer);
            const before = got;
            got += (chunk as Buffer).length;
            if (before < cut && got >= cut) firstWriteArrived();
          }
          assert.ok(Buffer.concat(parts).equals(c.bytes), `cut ${cut}: the client gets the upstream's bytes`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const rows = await rowsAfter(service, before, cuts.length);
      assert.deepEqual(rows.map((r) => r.user).sort(), cuts.map((cut) => `cut-${cut}`).sort(), 'one row per request');
      for (const row of rows) {
        const cut = Number(row.user?.slice('cut-'.length));
        for (const [field, value] of Object.entries(c.expect)) {
          const got = row[field as keyof typeof row];
          if (typeof value === 'number' && !Number.isInteger(value)) assert.ok(Math.abs((got as number) - value) < 0.01, `cut ${cut}: ${field} ${String(got)}`);
          else assert.deepEqual(got, value, `cut ${cut}: ${field}`);
        }
        assert.equal(row.was_streamed, true);
        assert.ok(row.ttft_ms !== null, `cut ${cut}: ttft`);
        const t = timelines.get(`cut-${cut}`)!;
        // ttft_ms is rounded to µs: allow that much.
        if (cut >= c.firstContentEnd) {
          const bound = t.clientGotFirst - t.sent;
          assert.ok(row.ttft_ms <= bound + 0.001, `cut ${cut}: ttft ${row.ttft_ms} must end at write 1 (≤ ${bound})`);
        } else {
          const bound = t.upstreamSentSecond - t.upstreamGot;
          assert.ok(row.ttft_ms >= bound - 0.001, `cut ${cut}: ttft ${row.ttft_ms} must end at write 2 (≥ ${bound})`);
        }
      }
    });
  }
});
