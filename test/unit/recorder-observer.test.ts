import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreWriteError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { Recorder, type BatchSink, type RecorderObserver } from '../../src/recorder/recorder.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { makeRecord } from '../contract/records.js';

function observed(): RecorderObserver & { writes: Array<[number, number]>; drops: number[] } {
  const writes: Array<[number, number]> = [];
  const drops: number[] = [];
  return { writes, drops, written: (rows, seconds) => writes.push([rows, seconds]), dropped: (rows) => drops.push(rows) };
}

function store(recordBatch: (records: readonly RequestRecord[]) => Promise<void>): BatchSink {
  return { recordBatch };
}

const logger = createLogger('silent');

describe('Recorder observer (metrics hooks)', () => {
  it('reports each written batch with its row count and how long the store took', async () => {
    const observer = observed();
    const recorder = new Recorder(store(() => new Promise((r) => setTimeout(r, 20))), logger, { flushIntervalMs: 60_000, maxBatch: 2, observer });
    for (let i = 0; i < 3; i++) recorder.enqueue(makeRecord());
    await recorder.close();
    assert.deepEqual(observer.writes.map(([rows]) => rows), [2, 1]);
    assert.ok(observer.writes.every(([, seconds]) => seconds >= 0.015 && seconds < 5), JSON.stringify(observer.writes));
    assert.deepEqual(observer.drops, []);
  });

  it('reports rows dropped by a full queue and a record the store rejects, and no write for a failed one', async () => {
    const observer = observed();
    let failing = true;
    const recorder = new Recorder(
      store(async (records) => {
        if (failing) throw new Error('disk full');
        if (records.some((r) => r.model === 'bad')) throw new StoreWriteError('invalid', records.findIndex((r) => r.model === 'bad'));
      }),
      logger,
      { flushIntervalMs: 60_000, maxQueue: 3, observer },
    );
    for (let i = 0; i < 5; i++) recorder.enqueue(makeRecord());
    assert.deepEqual(observer.drops, [1, 1]);
    await recorder.flush();
    assert.equal(observer.writes.length, 0, 'a failed write is no write');
    failing = false;
    recorder.enqueue(makeRecord({ model: 'bad' })); // overflows again: one more dropped
    await recorder.flush(); // the invalid row is set aside (dropped), the rest written on the next flush
    await recorder.close();
    assert.deepEqual(observer.drops, [1, 1, 1, 1]);
    assert.equal(observer.writes.reduce((n, [rows]) => n + rows, 0), 2);
    assert.equal(recorder.stats().dropped, 4);
  });
});
