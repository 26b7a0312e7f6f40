import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AdminWorkerData, AdminWorkerMessage } from './admin-worker.js';
import { answerExpositionRequests, type ExpositionSource } from './exposition-bridge.js';

export interface AdminThread {
  readonly url: string;
  /** Tells the admin thread that rows were written, so its analytics index pulls them. */
  refresh(): void;
  /** Tells the admin thread the proxy's address (for `/api/info`); resolves once it is set. */
  setProxyUrl(url: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the admin listener in its worker thread and resolves once it listens; `exposition`
 * answers its requests for the Prometheus text. From TypeScript
 * sources (tsx: tests, `npm run dev`) the worker first registers tsx, as workers do not inherit
 * the parent's loader; from the build it loads `admin-worker.js` directly.
 */
export async function startAdminThread(data: AdminWorkerData, logger: Logger, exposition?: ExpositionSource): Promise<AdminThread> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './admin-worker.ts' : './admin-worker.js', import.meta.url);
  const worker = fromSource
    ? new Worker(new URL('./tsx-worker-boot.mjs', import.meta.url), { workerData: { ...data, entry: entry.href } })
    : new Worker(entry, { workerData: data });

  const first = await Promise.race([
    once(worker, 'message') as Promise<[AdminWorkerMessage]>,
    once(worker, 'error').then(([err]) => [{ type: 'failed', message: (err as Error).message }] as [AdminWorkerMessage]),
  ]);
  const message = first[0];
  if (message.type !== 'listening') {
    await worker.terminate();
    const reason = message.type === 'failed' ? message.message : 'admin thread ended before listening';
    throw new AppError('LMP_LISTEN_FAILED', `cannot listen for admin on ${data.host}:${data.port}: ${reason}`);
  }

  let exited = false;
  worker.once('exit', (code) => {
    exited = true;
    if (code !== 0) logger.error({ code }, 'admin thread exited; stats are unavailable until restart');
  });
  worker.on('error', (err) => logger.error({ err }, 'admin thread failed'));
  if (exposition !== undefined) answerExpositionRequests(worker, exposition, logger);

  return {
    url: message.url,
    refresh() {
      if (!exited) worker.postMessage({ type: 'refresh' });
    },
    async setProxyUrl(url) {
      if (exited) return;
      const set = new Promise<void>((resolve) => {
        const onMessage = (m: AdminWorkerMessage): void => {
          if (m.type !== 'proxy-url-set') return;
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          resolve();
        };
        const onExit = (): void => {
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
        worker.once('exit', onExit);
      });
      worker.postMessage({ type: 'proxy-url', url });
      await set;
    },
    async close() {
      if (exited) return;
      const done = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ type: 'close' });
      const timer = setTimeout(() => void worker.terminate(), 3000);
      await done;
      clearTimeout(timer);
    },
  };
}
