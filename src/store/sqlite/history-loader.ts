/**
 * The history loader thread: reads every stored row's index fields from its own read-only
 * connection and posts them to the data thread in typed-array batches (history-batch.ts), so that
 * reading SQLite (most of a start-up load) runs on the other core while the data thread indexes
 * the previous batch. At most MAX_IN_FLIGHT batches wait unacknowledged, so a busy data thread
 * cannot make it pile the whole history up in memory.
 *
 * data → loader: `{type:'ack'}` per batch; loader → data: `{type:'batch', batch}`, then
 * `{type:'done'}` or `{type:'failed', message}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BatchEncoder, batchBuffers, INDEX_COLUMNS, type IndexRow } from './history-batch.js';

const BATCH_ROWS = 2048;
const MAX_IN_FLIGHT = 8;

const port = parentPort;
if (port === null) throw new Error('history-loader.ts runs as a worker thread only');
const { dbPath } = workerData as { dbPath: string };

let inFlight = 0;
let wake: (() => void) | null = null;
port.on('message', (m: { type: string }) => {
  if (m.type !== 'ack') return;
  inFlight--;
  wake?.();
  wake = null;
});

try {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const rows = db.prepare<[number, number], IndexRow>(`SELECT ${INDEX_COLUMNS} FROM requests WHERE id > ? ORDER BY id LIMIT ?`).raw(true);
  const encoder = new BatchEncoder();
  let after = 0;
  for (;;) {
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    const batch = rows.all(after, BATCH_ROWS);
    const last = batch[batch.length - 1];
    if (last === undefined) break;
    const encoded = encoder.encode(batch);
    inFlight++;
    port.postMessage({ type: 'batch', batch: encoded }, batchBuffers(encoded));
    after = last[0];
    if (batch.length < BATCH_ROWS) break;
  }
  db.close();
  port.postMessage({ type: 'done' });
} catch (err) {
  port.postMessage({ type: 'failed', message: (err as Error).message });
}
port.close();
