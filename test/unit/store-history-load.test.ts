/**
 * The start-up load through the history loader thread gives exactly what `scanForIndex` gives:
 * the same rows, fields and tags, in id order, across many batches (with the loader's flow
 * control), with every null, odd string and tag name kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalyticsRecord, RequestRecord } from '../../src/domain/request-record.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRecord } from '../contract/records.js';
import { prng } from '../helpers/prng.js';

const ROWS = 20_000; // ten loader batches of 2,048

function records(): RequestRecord[] {
  const rand = prng(11);
  const out: RequestRecord[] = [];
  for (let i = 0; i < ROWS; i++) {
    const usage = rand() < 0.8;
    out.push(makeRecord({
      start_time: Date.UTC(2026, 0, 1) + i * 1000 + (i % 7 === 0 ? 0.0 : 0),
      model: rand() < 0.1 ? null : ['m-a', 'm-b', '', 'ünïcödé 🚀', '__proto__'][i % 5]!,
      endpoint: ['/v1/chat/completions', '/v1/embeddings', '/api/chat'][i % 3]!,
      is_error: i % 11 === 0,
      was_streamed: i % 2 === 0,
      usage_source: usage ? 'reported' : 'none',
      input_tokens: usage ? Math.floor(rand() * 5000) : null,
      output_tokens: usage ? Math.floor(rand() * 900) : null,
      total_tokens: usage && i % 3 !== 0 ? Math.floor(rand() * 6000) : null,
      cached_input_tokens: i % 4 === 0 ? 7 : null,
      reasoning_tokens: i % 5 === 0 ? 3 : null,
      ttft_ms: i % 2 === 0 ? rand() * 100 : null,
      ttlt_ms: i % 2 === 0 ? 100 + rand() * 100 : null,
      duration_ms: rand() * 1000,
      tokens_per_second: usage ? rand() * 80 : null,
      cost_usd: i % 6 === 0 ? null : rand() / 100,
      api_key_id: i % 9 === 0 ? null : `key_${(i % 4).toString().padStart(16, '0')}`,
      user: i % 8 === 0 ? null : `u${i % 13}`,
      origin: i % 10 === 0 ? 'https://chat.example' : null,
      error_type: i % 11 === 0 ? 'upstream_status' : null,
      tags: i % 3 === 0 ? {} : i % 3 === 1 ? { team: 'red' } : { team: 'blue', ['__proto__']: 'x', env: 'prod' },
    }));
  }
  return out;
}

describe('Store.loadHistory (SQLite: the history loader thread)', () => {
  let dir: string;
  let store: SqliteStore;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lmp-history-'));
    store = openSqliteStore(join(dir, 'metrics.db'));
    const all = records();
    for (let i = 0; i < all.length; i += 5000) await store.recordBatch(all.slice(i, i + 5000));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function viaScan(): Promise<AnalyticsRecord[]> {
    const out: AnalyticsRecord[] = [];
    let last = 0;
    for (;;) {
      const { records: page, lastId } = await store.scanForIndex(last, 3000);
      if (page.length === 0) return out;
      out.push(...page);
      last = lastId;
    }
  }

  it('hands over every row in id order, field for field and tag for tag, with the last ids', async () => {
    const loaded: AnalyticsRecord[] = [];
    const lastIds: number[] = [];
    await store.loadHistory((batch, lastId) => {
      loaded.push(...batch);
      lastIds.push(lastId);
    });
    const scanned = await viaScan();
    assert.equal(loaded.length, ROWS);
    assert.deepEqual(loaded, scanned);
    assert.deepEqual(lastIds, Array.from({ length: Math.ceil(ROWS / 2048) }, (_, i) => Math.min((i + 1) * 2048, ROWS)));
    const withProtoTag = loaded.find((r) => Object.keys(r.tags).length === 3);
    assert.deepEqual(Object.entries(withProtoTag!.tags).sort(), [['__proto__', 'x'], ['env', 'prod'], ['team', 'blue']]);
  });

  it('a slow consumer gets every batch (the loader waits for acknowledgements)', async () => {
    let count = 0;
    await store.loadHistory((batch) => {
      const until = performance.now() + 30;
      while (performance.now() < until); // a data thread busy with a query
      count += batch.length;
    });
    assert.equal(count, ROWS);
  });

  it('a consumer that throws ends the load with that error', async () => {
    await assert.rejects(store.loadHistory(() => {
      throw new Error('index full');
    }), /index full/);
  });

  it('an empty database loads nothing and resolves', async () => {
    const empty = openSqliteStore(join(dir, 'empty.db'));
    try {
      let calls = 0;
      await empty.loadHistory(() => calls++);
      assert.equal(calls, 0);
    } finally {
      await empty.close();
    }
  });
});
