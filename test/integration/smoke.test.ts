import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, sendSse, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { chatChunk, chatCompletion, usageChunk } from '../helpers/chunks.js';

describe('smoke', () => {
  let upstream: FakeUpstream;
  let service: TestService;
  before(async () => {
    upstream = await startFakeUpstream();
    service = await startTestService({ upstreamUrl: upstream.url });
  });
  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('non-stream chat', async () => {
    upstream.handle((_req, res) => sendJson(res, 200, chatCompletion('hi', 10, 3)));
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test' });
    const r = await client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(r.choices[0]?.message.content, 'hi');
    const [row] = await service.rows(1);
    console.log(row);
  });

  it('stream chat', async () => {
    upstream.handle((_req, res) =>
      sendSse(res, [
        { data: chatChunk({ role: 'assistant', content: '' }) },
        { data: chatChunk({ content: 'Hel' }), delayMs: 100 },
        { data: chatChunk({ content: 'lo' }), delayMs: 50 },
        { data: chatChunk({}, 'stop') },
        { data: usageChunk(7, 2) },
        { data: '[DONE]' },
      ]),
    );
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-test' });
    const stream = await client.chat.completions.create({ model: 'm2', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Hello');
    const rows = await service.rows(2);
    console.log(rows[1]);
    const res = await fetch(`${service.adminUrl}/stats/summary`);
    console.log(await res.json());
  });
});
