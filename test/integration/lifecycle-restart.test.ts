import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, sendSse, type FakeUpstream } from '../helpers/fake-upstream.js';
import { testConfig } from '../helpers/service.js';
import { chatChunk, chatCompletion, usageChunk } from '../helpers/chunks.js';
import { startService, type RunningService } from '../../src/service.js';
import { createLogger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import type { Summary } from '../../src/api/stats-shapes.js';

/** Rows survive a restart: a second instance on the same database file serves the first one's rows. */

describe('lifecycle: restart on the same database', () => {
  let upstream: FakeUpstream;
  let dir: string;
  let first: RunningService | null = null;
  let second: RunningService | null = null;
  /** The first instance's rows, as it served them before closing. */
  let firstRows: StoredRequest[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lmp-restart-'));
    upstream = await startFakeUpstream(async (_req, res, body) => {
      const request = JSON.parse(body.toString()) as { model: string; stream?: boolean };
      const n = Number(request.model.slice('r-'.length));
      if (request.stream === true) {
        await sendSse(res, [
          { data: chatChunk({ role: 'assistant', content: 'str' }, null, request.model) },
          { data: chatChunk({ content: 'eam' }, 'stop', request.model), delayMs: 10 },
          { data: usageChunk(n * 10, n, request.model) },
          { data: '[DONE]' },
        ]);
      } else {
        sendJson(res, 200, chatCompletion('ok', n * 10, n, request.model));
      }
    });
  });

  after(async () => {
    await first?.close();
    await second?.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = () => testConfig({ upstreamUrl: upstream.url }, dir);

  async function recent(service: RunningService): Promise<StoredRequest[]> {
    const res = await fetch(`${service.adminUrl}/stats/recent?limit=100`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { requests: StoredRequest[] }).requests;
  }

  it('the first instance records three requests, then closes (flushing them)', { timeout: 20_000 }, async () => {
    first = await startService(config(), createLogger('silent'));
    const client = new OpenAI({ baseURL: `${first.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
    await client.chat.completions.create({ model: 'r-1', messages: [{ role: 'user', content: 'one' }] });
    await client.chat.completions.create({ model: 'r-2', messages: [{ role: 'user', content: 'two' }] });
    const stream = await client.chat.completions.create({ model: 'r-3', stream: true, messages: [{ role: 'user', content: 'three' }] });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'stream');

    // Only close() is relied on to write the rows: no flush before it.
    await first.close();
    const service = first;
    first = null;
    // The closed instance no longer answers.
    await assert.rejects(fetch(`${service.adminUrl}/health`));

    // Read back through a fresh store on the file (the first instance's store is closed).
    const store = openSqliteStore(config().dbPath);
    try {
      firstRows = await store.recent({ filter: {}, limit: 100 });
    } finally {
      await store.close();
    }
    assert.deepEqual(
      firstRows.map((r) => [r.model, r.input_tokens, r.output_tokens, r.was_streamed, r.status_code]).reverse(),
      [
        ['r-1', 10, 1, false, 200],
        ['r-2', 20, 2, false, 200],
        ['r-3', 30, 3, true, 200],
      ],
    );
  });

  it('a second instance on the same dbPath serves the first instance’s rows on /stats/recent and /stats/summary', { timeout: 20_000 }, async () => {
    assert.equal(firstRows.length, 3, 'needs the first test’s rows');
    second = await startService(config(), createLogger('silent'));
    assert.deepEqual(await recent(second), firstRows);

    const res = await fetch(`${second.adminUrl}/stats/summary`);
    const summary = (await res.json()) as Summary;
    assert.equal(summary.total_requests, 3);
    assert.equal(summary.successful_requests, 3);
    assert.equal(summary.total_input_tokens, 60);
    assert.equal(summary.total_output_tokens, 6);
    assert.equal(summary.streamed_requests, 1);
  });

  it('the second instance appends its own rows after the old ones', { timeout: 20_000 }, async () => {
    assert.ok(second, 'needs the second instance');
    const client = new OpenAI({ baseURL: `${second.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
    await client.chat.completions.create({ model: 'r-4', messages: [{ role: 'user', content: 'four' }] });
    await second.recorder.flush();
    const rows = await recent(second);
    assert.equal(rows.length, 4);
    const [newest, ...older] = rows;
    assert.ok(newest);
    assert.equal(newest.model, 'r-4');
    assert.equal(newest.input_tokens, 40);
    assert.deepEqual(older, firstRows);
    assert.ok(newest.id > Math.max(...firstRows.map((r) => r.id)), 'ids keep increasing across restarts');
  });
});
