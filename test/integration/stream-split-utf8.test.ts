import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import OpenAI from 'openai';
import { startFakeUpstream, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, usageChunk } from '../helpers/chunks.js';
import type { StoredRequest } from '../../src/domain/request-record.js';

/**
 * Multi-byte UTF-8 characters cut between two upstream writes (30 ms apart, so they arrive as
 * separate reads) reach the client as the exact bytes, decode whole in the SDK, and do not break
 * capture's SSE parsing.
 */

const sse = (data: string): string => `data: ${data}\n\n`;
const TEXT = 'café 😀 déjà vu — ✓';
/** The stream, as one byte string. Content deltas carry the characters raw (not \u-escaped). */
const STREAM = Buffer.from(
  [
    sse(chatChunk({ role: 'assistant', content: '' })),
    sse(chatChunk({ content: 'café ' })),
    sse(chatChunk({ content: '😀 déjà' })),
    sse(chatChunk({ content: ' vu — ✓' })),
    sse(chatChunk({}, 'stop')),
    sse(usageChunk(11, 6)),
    sse('[DONE]'),
  ].join(''),
  'utf8',
);

/** Offsets inside characters: after the first byte of "é" (2 bytes), after 2 of the 4 bytes of "😀", after 1 of the 3 bytes of "✓", and inside the usage JSON. */
function splitOffsets(): number[] {
  const inside = (char: string, from: number, k: number): number => {
    const at = STREAM.indexOf(char, from, 'utf8');
    assert.ok(at >= 0, `${char} not in stream`);
    return at + k;
  };
  const e = inside('é', 0, 1);
  const emoji = inside('😀', e, 2);
  const check = inside('✓', emoji, 1);
  const usage = inside('"prompt_tokens"', check, 5);
  // A byte 10xxxxxx is a UTF-8 continuation byte: these cuts really fall mid-character.
  for (const cut of [e, emoji, check]) assert.equal((STREAM[cut] as number) & 0xc0, 0x80, `cut at ${cut} is not mid-character`);
  return [e, emoji, check, usage];
}

/** The pieces the upstream writes, each cut falling inside a multi-byte character (or the usage JSON). */
function pieces(): Buffer[] {
  const cuts = [0, ...splitOffsets(), STREAM.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) out.push(STREAM.subarray(cuts[i], cuts[i + 1]));
  return out;
}

describe('stream with multi-byte characters split across upstream writes', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const [firstPiece, ...others] = pieces();
      res.write(firstPiece);
      for (const piece of others) {
        await sleep(30);
        res.write(piece);
      }
      res.end();
    });
    service = await startTestService({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });


  function assertUsageCaptured(row: StoredRequest): void {
    assert.equal(row.was_streamed, true);
    assert.equal(row.usage_source, 'reported');
    assert.deepEqual([row.input_tokens, row.output_tokens, row.total_tokens], [11, 6, 17]);
    assert.equal(row.finish_reason, 'stop');
    assert.equal(row.response_model, 'fake-model');
    assert.equal(row.is_error, false);
  }

  it('delivers the exact bytes to a raw HTTP client, with the half characters forwarded as they came', async () => {
    const count = await service.rowCount();
    const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
    const reads = await new Promise<Buffer[]>((resolve, reject) => {
      const req = request(`${service.proxyUrl}/v1/chat/completions`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve(chunks));
        res.once('error', reject);
      });
      req.once('error', reject);
      req.end(body);
    });
    const received = Buffer.concat(reads);
    assert.equal(received.length, STREAM.length);
    assert.ok(received.equals(STREAM), 'stream bytes changed');
    assert.equal(received.toString('utf8').includes('\ufffd'), false);
    // The proxy did not hold a half character back: some read ends right where the upstream cut "é".
    const [cutInE] = splitOffsets();
    let end = 0;
    const readEnds = reads.map((r) => (end += r.length));
    assert.ok(readEnds.includes(cutInE as number), `no client read ended inside "é" (read ends: ${readEnds.join(', ')})`);
    assertUsageCaptured(await service.rowAfter(count));
  });

  it('lets the openai SDK stream yield the full text', async () => {
    const count = await service.rowCount();
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    let text = '';
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = { prompt_tokens: chunk.usage.prompt_tokens, completion_tokens: chunk.usage.completion_tokens };
    }
    assert.equal(text, TEXT);
    assert.deepEqual(usage, { prompt_tokens: 11, completion_tokens: 6 });
    assertUsageCaptured(await service.rowAfter(count));
  });
});
