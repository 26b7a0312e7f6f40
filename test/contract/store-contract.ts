/**
 * The behaviour every `Store` adapter must have. An adapter's test file calls `storeContract` once
 * with a function that opens a fresh, empty store (or reopens an existing one, given its location).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ModelStats, RequestRecord, StoredRequest, Store, Summary } from '../../src/store/types.js';
import { makeFailedRecord, makeRecord } from './records.js';

export interface OpenedStore {
  store: Store;
  /** Where the data lives (a file path, a schema name…): pass it back to `open` to reopen the same data. */
  location: string;
  /**
   * Closes the store if still open and deletes the data at `location`. Must tolerate a store that
   * was already closed and a location that another handle already removed.
   */
  cleanup(): Promise<void>;
}

/** No argument: a new, empty location. With a location: open the data that is already there. */
export type OpenStore = (location?: string) => Promise<OpenedStore>;

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 0);

export function storeContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    describe('round trip', () => {
      it('returns every field as written, with nulls, zeros and booleans intact', async () => {
        const full = makeRecord({
          start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 987),
          method: 'POST',
          endpoint: '/v1/chat/completions',
          model: 'llama-3.1-8b-instruct',
          response_model: 'llama-3.1-8b-instruct-q4',
          status_code: 503,
          is_error: true,
          error_type: 'upstream_status',
          error_message: 'upstream said: "nope" — ✗\nsecond line',
          was_streamed: true,
          input_tokens: 123456,
          output_tokens: 7890,
          total_tokens: 131346,
          usage_source: 'reported',
          ttft_ms: 12.75,
          duration_ms: 1234.5,
          tokens_per_second: 42.123456789,
          finish_reason: 'length',
        });
        const allNull: RequestRecord = {
          start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 986),
          method: 'GET',
          endpoint: '/v1/models',
          model: null,
          response_model: null,
          status_code: null,
          is_error: false,
          error_type: null,
          error_message: null,
          was_streamed: false,
          input_tokens: null,
          output_tokens: null,
          total_tokens: null,
          usage_source: 'none',
          ttft_ms: null,
          duration_ms: 0,
          tokens_per_second: null,
          finish_reason: null,
        };
        const zeros = makeRecord({
          start_time: Date.UTC(2024, 1, 29, 23, 59, 59, 985),
          input_tokens: 0,
          output_tokens: 0,
          total_tokens: 0,
          ttft_ms: 0,
          tokens_per_second: 0,
        });

        await store.recordBatch([full, allNull, zeros]);
        const rows = await store.recent(10);

        assert.equal(rows.length, 3);
        assert.deepEqual(rows.map(withoutId), [full, allNull, zeros].map(expectedStored));
        const ids = rows.map((r) => r.id);
        for (const id of ids) assert.ok(Number.isSafeInteger(id) && id > 0, `id ${id} is a positive integer`);
        assert.equal(new Set(ids).size, 3, 'ids are distinct');
        for (const row of rows) {
          assert.equal(typeof row.is_error, 'boolean');
          assert.equal(typeof row.was_streamed, 'boolean');
        }
      });

      it('renders start_time as ISO-8601 UTC with milliseconds', async () => {
        await store.recordBatch([
          makeRecord({ start_time: 0 }),
          makeRecord({ start_time: Date.UTC(2025, 11, 31, 23, 59, 59, 1) }),
        ]);
        const rows = await store.recent(10);
        assert.deepEqual(
          rows.map((r) => r.start_time),
          ['2025-12-31T23:59:59.001Z', '1970-01-01T00:00:00.000Z'],
        );
      });
    });

    describe('recordBatch', () => {
      it('writes nothing and rejects when one record has NaN in a NOT NULL column', async () => {
        const batch = [makeRecord(), makeRecord({ start_time: Number.NaN })];
        await assert.rejects(store.recordBatch(batch), { code: 'LMP_STORE_WRITE_FAILED' });
        assert.deepEqual(await store.recent(10), []);
        assert.equal((await store.summary()).total_requests, 0);
      });

      it('writes nothing and rejects when one record lacks a required field', async () => {
        const missingDuration = { ...makeRecord(), duration_ms: undefined } as unknown as RequestRecord;
        const missingMethod = { ...makeRecord(), method: undefined } as unknown as RequestRecord;
        for (const bad of [missingDuration, missingMethod]) {
          await assert.rejects(store.recordBatch([makeRecord(), makeRecord(), bad]), {
            code: 'LMP_STORE_WRITE_FAILED',
          });
        }
        assert.deepEqual(await store.recent(10), []);
      });

      it('keeps earlier batches after a failed one and accepts later ones', async () => {
        await store.recordBatch([makeRecord({ endpoint: '/first' })]);
        await assert.rejects(store.recordBatch([makeRecord({ endpoint: '/bad' }), makeRecord({ duration_ms: Number.NaN })]));
        await store.recordBatch([makeRecord({ endpoint: '/third', start_time: T0 + 1 })]);
        assert.deepEqual(
          (await store.recent(10)).map((r) => r.endpoint),
          ['/third', '/first'],
        );
      });

      it('accepts an empty batch and a large one', async () => {
        await store.recordBatch([]);
        assert.equal((await store.summary()).total_requests, 0);
        const many = Array.from({ length: 500 }, (_, i) => makeRecord({ start_time: T0 + i }));
        await store.recordBatch(many);
        assert.equal((await store.summary()).total_requests, 500);
      });
    });

    describe('summary', () => {
      it('is all zeros (and null averages) for an empty store', async () => {
        assertStats(await store.summary(), {
          total_requests: 0,
          successful_requests: 0,
          failed_requests: 0,
          total_input_tokens: 0,
          total_output_tokens: 0,
          total_tokens: 0,
          average_input_tokens: 0,
          average_output_tokens: 0,
          total_duration_ms: 0,
          requests_with_usage: 0,
          streamed_requests: 0,
          average_duration_ms: null,
          average_ttft_ms: null,
          average_tokens_per_second: null,
        } satisfies Summary);
      });

      it('sums all rows and averages token counts over rows with known usage only', async () => {
        await store.recordBatch([
          makeRecord({
            model: 'model-a', was_streamed: true, input_tokens: 10, output_tokens: 20, total_tokens: 30,
            ttft_ms: 50, duration_ms: 100, tokens_per_second: 10,
          }),
          makeFailedRecord({ model: 'model-a', duration_ms: 300 }),
        ]);
        await store.recordBatch([
          makeRecord({
            model: 'model-b', was_streamed: true, input_tokens: 30, output_tokens: 40, total_tokens: 70,
            ttft_ms: 150, duration_ms: 200, tokens_per_second: 20.5,
          }),
          makeFailedRecord({ model: null, was_streamed: true, duration_ms: 400 }),
        ]);

        assertStats(await store.summary(), {
          total_requests: 4,
          successful_requests: 2,
          failed_requests: 2,
          total_input_tokens: 40,
          total_output_tokens: 60,
          total_tokens: 100,
          average_input_tokens: 20,
          average_output_tokens: 30,
          total_duration_ms: 1000,
          requests_with_usage: 2,
          streamed_requests: 3,
          average_duration_ms: 250,
          average_ttft_ms: 100,
          average_tokens_per_second: 15.25,
        } satisfies Summary);
      });

      it('gives 0 token averages and null ttft/tps averages when no row has usage', async () => {
        await store.recordBatch([makeFailedRecord({ duration_ms: 100 }), makeFailedRecord({ duration_ms: 200 })]);
        assertStats(await store.summary(), {
          total_requests: 2,
          successful_requests: 0,
          failed_requests: 2,
          total_input_tokens: 0,
          total_output_tokens: 0,
          total_tokens: 0,
          average_input_tokens: 0,
          average_output_tokens: 0,
          total_duration_ms: 300,
          requests_with_usage: 0,
          streamed_requests: 0,
          average_duration_ms: 150,
          average_ttft_ms: null,
          average_tokens_per_second: null,
        } satisfies Summary);
      });

      it('does not round averages', async () => {
        await store.recordBatch([
          makeRecord({ input_tokens: 10, output_tokens: 1, total_tokens: 11, duration_ms: 1, ttft_ms: 1, tokens_per_second: 1 }),
          makeRecord({ input_tokens: 20, output_tokens: 1, total_tokens: 21, duration_ms: 1, ttft_ms: 1, tokens_per_second: 1 }),
          makeRecord({ input_tokens: 40, output_tokens: 2, total_tokens: 42, duration_ms: 2, ttft_ms: 2, tokens_per_second: 2 }),
        ]);
        const s = await store.summary();
        assertClose(s.average_input_tokens, 70 / 3, 'average_input_tokens');
        assertClose(s.average_output_tokens, 4 / 3, 'average_output_tokens');
        assertClose(s.average_duration_ms, 4 / 3, 'average_duration_ms');
        assertClose(s.average_ttft_ms, 4 / 3, 'average_ttft_ms');
        assertClose(s.average_tokens_per_second, 4 / 3, 'average_tokens_per_second');
      });
    });

    describe('byModel', () => {
      it('is empty for an empty store', async () => {
        assert.deepEqual(await store.byModel(), []);
      });

      it('groups by model (null is its own group), most requests first, ties by name, null last', async () => {
        // Written out of order, across batches, so the order must come from the query.
        await store.recordBatch([
          makeRecord({ model: 'model-c', input_tokens: 7, output_tokens: 0, total_tokens: 7, duration_ms: 70, ttft_ms: null, tokens_per_second: 0 }),
          makeFailedRecord({ model: null, duration_ms: 5 }),
          makeRecord({ model: 'model-b', input_tokens: 1, output_tokens: 2, total_tokens: 3, duration_ms: 10, ttft_ms: 5, tokens_per_second: 1 }),
          makeRecord({ model: 'model-a', input_tokens: 100, output_tokens: 50, total_tokens: 150, duration_ms: 1000, ttft_ms: 100, tokens_per_second: 50 }),
        ]);
        await store.recordBatch([
          makeFailedRecord({ model: 'model-b', duration_ms: 30 }),
          makeRecord({ model: 'model-a', input_tokens: 200, output_tokens: 100, total_tokens: 300, duration_ms: 2000, ttft_ms: 300, tokens_per_second: 25 }),
          makeFailedRecord({ model: null, duration_ms: 15 }),
          makeRecord({ model: 'model-b', input_tokens: 3, output_tokens: 4, total_tokens: 7, duration_ms: 20, ttft_ms: null, tokens_per_second: 2 }),
        ]);

        const expected: ModelStats[] = [
          {
            model: 'model-b', requests: 3, successful_requests: 2, failed_requests: 1,
            input_tokens: 4, output_tokens: 6, total_tokens: 10, avg_tokens_per_request: 5, requests_with_usage: 2,
            avg_duration_ms: 20, avg_ttft_ms: 5, avg_tokens_per_second: 1.5,
          },
          {
            model: 'model-a', requests: 2, successful_requests: 2, failed_requests: 0,
            input_tokens: 300, output_tokens: 150, total_tokens: 450, avg_tokens_per_request: 225, requests_with_usage: 2,
            avg_duration_ms: 1500, avg_ttft_ms: 200, avg_tokens_per_second: 37.5,
          },
          {
            model: null, requests: 2, successful_requests: 0, failed_requests: 2,
            input_tokens: 0, output_tokens: 0, total_tokens: 0, avg_tokens_per_request: 0, requests_with_usage: 0,
            avg_duration_ms: 10, avg_ttft_ms: null, avg_tokens_per_second: null,
          },
          {
            model: 'model-c', requests: 1, successful_requests: 1, failed_requests: 0,
            input_tokens: 7, output_tokens: 0, total_tokens: 7, avg_tokens_per_request: 7, requests_with_usage: 1,
            avg_duration_ms: 70, avg_ttft_ms: null, avg_tokens_per_second: 0,
          },
        ];
        const actual = await store.byModel();
        assert.deepEqual(actual.map((m) => m.model), expected.map((m) => m.model));
        actual.forEach((m, i) => assertStats(m, expected[i] ?? {}));
      });
    });

    describe('recent', () => {
      it('is empty for an empty store', async () => {
        assert.deepEqual(await store.recent(100), []);
      });

      it('orders newest first by start_time, ties by newest id, and honours the limit', async () => {
        await store.recordBatch([
          makeRecord({ endpoint: '/b', start_time: T0 + 1000 }),
          makeRecord({ endpoint: '/a', start_time: T0 + 3000 }),
          makeRecord({ endpoint: '/c', start_time: T0 + 2000 }),
        ]);
        await store.recordBatch([
          makeRecord({ endpoint: '/d', start_time: T0 + 2000 }), // same time as /c, written later
          makeRecord({ endpoint: '/e', start_time: T0 }),
        ]);

        const all = await store.recent(10);
        assert.deepEqual(all.map((r) => r.endpoint), ['/a', '/d', '/c', '/b', '/e']);
        const c = all[2];
        const d = all[1];
        assert.ok(c && d && d.id > c.id, 'the later-written row of a start_time tie has the larger id');

        assert.deepEqual((await store.recent(2)).map((r) => r.endpoint), ['/a', '/d']);
        assert.deepEqual((await store.recent(1)).map((r) => r.endpoint), ['/a']);
        assert.equal((await store.recent(5)).length, 5);
      });
    });

    describe('persistence', () => {
      it('keeps data across close and reopen of the same location', async () => {
        await store.recordBatch([
          makeRecord({ model: 'model-a', start_time: T0 }),
          makeFailedRecord({ model: null, start_time: T0 + 1 }),
        ]);
        const before = { recent: await store.recent(10), summary: await store.summary(), byModel: await store.byModel() };
        await store.close();

        const reopened = await open(opened.location);
        try {
          const again = reopened.store;
          assert.deepEqual(
            { recent: await again.recent(10), summary: await again.summary(), byModel: await again.byModel() },
            before,
          );
          await again.recordBatch([makeRecord({ start_time: T0 + 2 })]);
          const ids = (await again.recent(10)).map((r) => r.id);
          assert.equal(new Set(ids).size, 3, 'new rows get fresh ids');
        } finally {
          await reopened.cleanup();
        }
      });
    });
  });
}

function withoutId(row: StoredRequest): Omit<StoredRequest, 'id'> {
  const { id: _id, ...rest } = row;
  return rest;
}

function expectedStored(record: RequestRecord): Omit<StoredRequest, 'id'> {
  return { ...record, start_time: new Date(record.start_time).toISOString() };
}

/** Same keys; numbers equal up to float rounding (adapters may divide in a different order); nulls exactly null. */
function assertStats(actual: object, expected: object): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    const got: unknown = (actual as Record<string, unknown>)[key];
    if (typeof want === 'number') assertClose(got, want, key);
    else assert.equal(got, want, key);
  }
}

function assertClose(actual: unknown, expected: number, label: string): void {
  assert.equal(typeof actual, 'number', `${label} is a number (got ${typeof actual} ${String(actual)})`);
  const diff = Math.abs((actual as number) - expected);
  assert.ok(diff <= 1e-9 * Math.max(1, Math.abs(expected)), `${label}: expected ${expected}, got ${String(actual)}`);
}
