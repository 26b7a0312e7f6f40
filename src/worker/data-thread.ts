/**
 * The main thread's handle on the data thread (data-worker.ts), which owns the store: it writes
 * the recorder's batches, prunes old rows, keeps the analytics index and serves the admin port.
 * The proxy's event loop therefore never runs a database transaction: `recordBatch` here only
 * posts the rows (a structured clone) and waits for the thread's answer.
 */
import { Worker } from 'node:worker_threads';
import type { RequestRecord } from '../domain/request-record.js';
import { AppError, StoreWriteError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BatchSink, TimedWrite } from '../recorder/recorder.js';
import { answerExpositionRequests, type ExpositionSource } from './exposition-bridge.js';
import type { DataWorkerData, FromDataWorker } from './messages.js';

export interface DataThread extends BatchSink {
  /**
   * Resolves with the admin listener's address (e.g. `http://127.0.0.1:8002`) once it listens;
   * rejects when the store cannot be opened or the port taken (the thread has then ended).
   * Batches posted before then wait in the thread's message queue.
   */
  readonly listening: Promise<string>;
  /** False while the analytics index is still loading the recorded history. */
  statsReady(): boolean;
  /** Posts a batch; resolves once the data thread has committed it, with the store's own time. */
  recordBatch(records: readonly RequestRecord[]): Promise<TimedWrite>;
  /** Tells the admin thread the proxy's address (for `/api/info`); resolves once it is set. */
  setProxyUrl(url: string): Promise<void>;
  /** Stops the admin listener; the thread keeps writing until `close`. */
  stopListening(): Promise<void>;
  /** Closes the store and ends the thread (after the last batch was written). */
  close(): Promise<void>;
}

/** How long `close` waits for the thread to close its store before terminating it. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Starts the data thread and resolves once its admin listener listens; `exposition` answers its
 * requests for the Prometheus text. From TypeScript sources (tsx: tests, `npm run dev`) the
 * worker first registers tsx, as workers do not inherit the parent's loader.
 */
export function startDataThread(data: DataWorkerData, logger: Logger, exposition?: ExpositionSource): DataThread {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './data-worker.ts' : './data-worker.js', import.meta.url);
  const worker = fromSource
    ? new Worker(new URL('./tsx-worker-boot.mjs', import.meta.url), { workerData: { ...data, entry: entry.href } })
    : new Worker(entry, { workerData: data });

  const listening = new Promise<string>((resolve, reject) => {
    const fail = (message: string, code?: string): void => {
      void worker.terminate();
      if (code === 'LMP_STORE_OPEN_FAILED') reject(new AppError('LMP_STORE_OPEN_FAILED', message));
      else reject(new AppError('LMP_LISTEN_FAILED', `cannot listen for admin on ${data.host}:${data.port}: ${message}`));
    };
    const onMessage = (m: FromDataWorker): void => {
      if (m.type === 'listening') resolve(m.url);
      else if (m.type === 'failed') fail(m.message, m.code);
      else return;
      off();
    };
    const onError = (err: Error): void => {
      off();
      fail(err.message);
    };
    const onExit = (): void => {
      off();
      fail('data thread ended before listening');
    };
    const off = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  listening.catch(() => undefined); // the caller awaits it; this only keeps an early failure from being unhandled

  let exited = false;
  let ready = false;
  let nextId = 1;
  const pendingWrites = new Map<number, { resolve: (write: TimedWrite) => void; reject: (err: Error) => void }>();
  const waiters = new Map<string, () => void>();

  worker.once('exit', (code) => {
    exited = true;
    const err = new AppError('LMP_STORE_WRITE_FAILED', `data thread exited (code ${code})`);
    for (const pending of pendingWrites.values()) pending.reject(err);
    pendingWrites.clear();
    for (const resolve of waiters.values()) resolve();
    waiters.clear();
    if (code !== 0) logger.error({ code }, 'data thread exited; rows wait in the recorder queue and stats are unavailable');
  });
  worker.on('error', (err) => logger.error({ err }, 'data thread failed'));
  worker.on('message', (m: FromDataWorker) => {
    switch (m.type) {
      case 'written':
      case 'write-failed': {
        const pending = pendingWrites.get(m.id);
        if (pending === undefined) return;
        pendingWrites.delete(m.id);
        if (m.type === 'written') {
          pending.resolve({ storeSeconds: m.seconds });
        } else {
          pending.reject(new StoreWriteError(m.message, m.invalidIndex));
        }
        return;
      }
      case 'stats-ready':
        ready = true;
        return;
      case 'proxy-url-set':
      case 'stopped-listening':
        waiters.get(m.type)?.();
        waiters.delete(m.type);
        return;
      default:
        return;
    }
  });
  if (exposition !== undefined) answerExpositionRequests(worker, exposition, logger);

  /** Posts `message` and resolves when the thread answers with `answer` (or has exited). */
  const ask = (message: { type: string; url?: string }, answer: string): Promise<void> => {
    if (exited) return Promise.resolve();
    const answered = new Promise<void>((resolve) => waiters.set(answer, resolve));
    worker.postMessage(message);
    return answered;
  };

  return {
    listening,
    statsReady: () => ready,
    recordBatch(records: readonly RequestRecord[]) {
      if (exited) return Promise.reject(new AppError('LMP_STORE_WRITE_FAILED', 'data thread is not running'));
      const id = nextId++;
      return new Promise<TimedWrite>((resolve, reject) => {
        pendingWrites.set(id, { resolve, reject });
        worker.postMessage({ type: 'write', id, records });
      });
    },
    setProxyUrl: (url) => ask({ type: 'proxy-url', url }, 'proxy-url-set'),
    stopListening: () => ask({ type: 'stop-listening' }, 'stopped-listening'),
    async close() {
      if (exited) return;
      const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
    },
  };
}
