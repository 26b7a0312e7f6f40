/** Runs the history loader thread (history-loader.ts) and decodes its batches for `add`. */
import { Worker } from 'node:worker_threads';
import type { AnalyticsRecord } from '../../domain/request-record.js';
import { BatchDecoder, type HistoryBatch } from './history-batch.js';

type LoaderMessage =
  | { readonly type: 'batch'; readonly batch: HistoryBatch }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string };

/** The `request_tags` rows of the requests with ids in [firstId, lastId]. */
export type TagRange = (firstId: number, lastId: number) => ReadonlyArray<readonly [number, string, string]>;

export function loadHistoryInThread(
  dbPath: string,
  tagsOf: TagRange,
  add: (records: readonly AnalyticsRecord[], lastId: number) => void,
): Promise<void> {
  if (dbPath === ':memory:' || dbPath === '') return Promise.reject(new Error('an in-memory database has no history to load from another thread'));
  // From TypeScript sources (tests, `npm run dev`) the thread first registers tsx, as data-thread.ts does.
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './history-loader.ts' : './history-loader.js', import.meta.url);
  const worker = fromSource
    ? new Worker(new URL('../../worker/tsx-worker-boot.mjs', import.meta.url), { workerData: { dbPath, entry: entry.href } })
    : new Worker(entry, { workerData: { dbPath } });
  const decoder = new BatchDecoder();
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      if (err === null) resolve();
      else reject(err);
    };
    worker.on('message', (m: LoaderMessage) => {
      if (settled) return;
      if (m.type === 'batch') {
        try {
          const { ids, lastId } = m.batch;
          add(decoder.decode(m.batch, ids.length === 0 ? [] : tagsOf(ids[0]!, lastId)), lastId);
        } catch (err) {
          finish(err as Error);
          return;
        }
        worker.postMessage({ type: 'ack' });
      } else if (m.type === 'done') finish(null);
      else finish(new Error(`history loader failed: ${m.message}`));
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => finish(new Error(`history loader exited (code ${code}) before it was done`)));
  });
}
