import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/logger.js';
import { Recorder, type BatchSink } from '../../src/recorder/recorder.js';
import type { RequestRecord } from '../../src/domain/request-record.js';

function record(i: number): RequestRecord {
  return {
    start_time: 1_700_000_000_000 + i, method: 'POST', endpoint: '/v1/chat/completions', model: `m${i}`, response_model: null,
    status_code: 200, is_error: false, error_type: null, error_message: null, was_streamed: false, input_tokens: 1,
    output_tokens: 1, total_tokens: 2, cached_input_tokens: null, reasoning_tokens: null, usage_source: 'reported', ttft_ms: null,
    ttlt_ms: null, duration_ms: 1, tokens_per_second: null, finish_reason: 'stop', message_count: 1, origin: null, api_key_id: null,
    user: null, tags: {}, cost_usd: null,
  };
}

/** A store that keeps batches in memory and fails while `failing` is set. */
function memoryStore() {
  const batches: RequestRecord[][] = [];
  const state = { failing: false, batches };
  const store: BatchSink = {
    async recordBatch(records) {
      if (state.failing) throw new Error('disk full');
      batches.push([...records]);
    },
  };
  return { store, state };
}

const logger = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Recorder', () => {
  it('writes queued rows in one batch after the flush interval, not on enqueue', async () => {
    const { store, state } = memoryStore();
    const recorder = new Recorder(store, logger, { flushIntervalMs: 30 });
    for (let i = 0; i < 5; i++) recorder.enqueue(record(i));
    assert.equal(state.batches.length, 0);
    await sleep(80);
    assert.equal(state.batches.length, 1);
    assert.deepEqual(state.batches[0]?.map((r) => r.model), ['m0', 'm1', 'm2', 'm3', 'm4']);
    await recorder.close();
  });

  it('splits into batches of maxBatch and flushes a full batch at once', async () => {
    const { store, state } = memoryStore();
    const recorder = new Recorder(store, logger, { flushIntervalMs: 60_000, maxBatch: 3 });
    for (let i = 0; i < 7; i++) recorder.enqueue(record(i));
    // Well before the 60 s interval (polled, so a loaded machine cannot fail it by a late timer).
    for (let waited = 0; state.batches.length < 2 && waited < 2000; waited += 10) await sleep(10);
    assert.ok(state.batches.length >= 2, 'full batches are written without waiting for the interval');
    await recorder.close();
    assert.deepEqual(state.batches.flat().map((r) => r.model), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    assert.ok(state.batches.every((b) => b.length <= 3));
  });

  it('keeps rows in order while the store fails and writes them once it recovers', async () => {
    const { store, state } = memoryStore();
    const recorder = new Recorder(store, logger, { flushIntervalMs: 10 });
    state.failing = true;
    recorder.enqueue(record(1));
    recorder.enqueue(record(2));
    await sleep(50);
    assert.equal(state.batches.length, 0);
    assert.ok(recorder.stats().failedWrites >= 1);
    recorder.enqueue(record(3));
    state.failing = false;
    await sleep(50);
    assert.deepEqual(state.batches.flat().map((r) => r.model), ['m1', 'm2', 'm3']);
    assert.equal(recorder.stats().recorded, 3);
    await recorder.close();
  });

  it('close() writes everything enqueued before it', async () => {
    const { store, state } = memoryStore();
    const recorder = new Recorder(store, logger, { flushIntervalMs: 60_000 });
    for (let i = 0; i < 10; i++) recorder.enqueue(record(i));
    await recorder.close();
    assert.equal(state.batches.flat().length, 10);
    assert.equal(recorder.stats().queued, 0);
  });

  it('drops the oldest rows past maxQueue and counts them', async () => {
    const { store, state } = memoryStore();
    const recorder = new Recorder(store, logger, { flushIntervalMs: 60_000, maxQueue: 3, maxBatch: 100 });
    state.failing = true;
    for (let i = 0; i < 5; i++) recorder.enqueue(record(i));
    assert.equal(recorder.stats().dropped, 2);
    state.failing = false;
    await recorder.close();
    assert.deepEqual(state.batches.flat().map((r) => r.model), ['m2', 'm3', 'm4']);
  });
});

describe('Recorder with an invalid record', () => {
  it('sets the invalid record aside and writes the rest of its batch', async () => {
    const { StoreWriteError } = await import('../../src/errors.js');
    const written: RequestRecord[] = [];
    const store: BatchSink = {
      async recordBatch(records) {
        const bad = records.findIndex((r) => Number.isNaN(r.duration_ms));
        if (bad !== -1) throw new StoreWriteError('bad record', bad);
        written.push(...records);
      },
    };
    const recorder = new Recorder(store, logger, { flushIntervalMs: 5 });
    recorder.enqueue(record(1));
    recorder.enqueue({ ...record(2), duration_ms: Number.NaN });
    recorder.enqueue(record(3));
    await sleep(60);
    assert.deepEqual(written.map((r) => r.model), ['m1', 'm3']);
    assert.equal(recorder.stats().dropped, 1);
    await recorder.close();
  });
});

describe('Recorder with a failing store', () => {
  it('backs off exponentially instead of retrying on every request', async () => {
    let attempts = 0;
    const store: BatchSink = {
      async recordBatch() {
        attempts++;
        throw new Error('database is locked');
      },
    };
    const recorder = new Recorder(store, logger, { flushIntervalMs: 10, maxBatch: 1 });
    // maxBatch 1: without backoff every enqueue would trigger an immediate write attempt.
    for (let i = 0; i < 50; i++) {
      recorder.enqueue(record(i));
      await sleep(5);
    }
    // ~250 ms: delays of 20, 40, 80, 160 ms after the first failure allow about 5 attempts.
    assert.ok(attempts <= 7, `attempts: ${attempts}`);
    assert.ok(attempts >= 2, `attempts: ${attempts}`);
    assert.equal(recorder.stats().queued, 50);
    await recorder.close(); // gives up after one more try; stops the retry timer
  });
});
