/**
 * The data thread: the one owner of the store. It writes the recorder's batches (the proxy's event
 * loop only posts them), deletes what retention has expired, keeps the analytics index (fed with
 * the rows it has just written, and with the history at start-up) and serves the admin listener.
 * Stats queries and transactions therefore never hold up the proxy, and use the second core.
 *
 * Messages: see messages.ts; the Prometheus exposition is asked of the main thread for each
 * scrape (exposition-bridge.ts).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { createAdaptorServer } from '@hono/node-server';
import { AnalyticsIndex } from '../analytics/analytics-index.js';
import { MemoryAnalytics } from '../analytics/memory-analytics.js';
import { StoreSync } from '../analytics/store-sync.js';
import { createAdminApp } from '../api/admin-app.js';
import { packageVersion } from '../api/admin-info.js';
import { DEFAULT_DASHBOARD_DIR } from '../api/dashboard-routes.js';
import type { AdminInfo } from '../api/stats-shapes.js';
import { AppError, StoreWriteError } from '../errors.js';
import { createLogger } from '../logger.js';
import { openStore } from '../store/open-store.js';
import { Pruner } from '../store/pruner.js';
import type { Store } from '../store/types.js';
import type { AnalyticsRecord } from '../domain/request-record.js';
import { ExpositionClient } from './exposition-bridge.js';
import type { DataWorkerData, FromDataWorker, ToDataWorker } from './messages.js';

/** Retention runs at start-up and then this often: the window moves by a minute at a time. */
const DEFAULT_PRUNE_INTERVAL_MS = 60_000;

const port = parentPort;
if (port === null) throw new Error('data-worker.ts runs as a worker thread only');
const data = workerData as DataWorkerData;
const post = (message: FromDataWorker): void => port.postMessage(message);
const logger = createLogger(data.logLevel).child({ thread: 'data' });

let store: Store;
try {
  store = openStore({ dbPath: data.dbPath });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message, code: err instanceof AppError ? err.code : undefined });
  port.close();
  throw err;
}

// The history loader thread starts first, so that its start and first reads overlap this thread's
// own (the index's warm-up, the admin app, listening). Its batches are only handled once this
// module yields to the event loop, and `loading` below sets `feed` in microtasks before that: so a
// batch always finds it (at most 8 wait unacknowledged meanwhile). Were it ever missing, the load
// fails and the rest is read batch by batch: never buffered without bound.
let feed: ((records: readonly AnalyticsRecord[], lastId: number) => void) | null = null;
const historyLoad = store.loadHistory((records, lastId) => {
  if (feed === null) throw new Error('history batch before the index was ready');
  feed(records, lastId);
});
historyLoad.catch(() => undefined); // awaited below; an early failure is reported there

const index = new AnalyticsIndex();
const analytics = new MemoryAnalytics(index, store);
const sync = new StoreSync(store, (records) => index.add(records));
const refresh = (): Promise<void> =>
  sync.refresh().catch((err: unknown) => logger.error({ err }, 'analytics refresh from the store failed'));
// The start-up load: from here on, rows written meanwhile are picked up after it, never twice.
// Stats requests wait for it, proxying does not. Then a refresh catches up with what it missed.
const loading = sync
  .loadWith(async (add) => {
    index.reserve(await store.estimateRequests()); // one allocation instead of growing column by column
    feed = add;
    await historyLoad;
  })
  .catch((err: unknown) => logger.warn({ err }, 'history loader failed; loading the rest row batch by row batch'));
const pruner = new Pruner({
  store,
  retentionDays: data.retentionDays,
  usageRetentionDays: data.usageRetentionDays,
  logger,
  onPruned: (cutoff) => {
    analytics.setRetainedFrom(cutoff);
    index.dropBefore(cutoff);
  },
});

// The proxy starts listening after this thread does, so its address arrives by message.
const info: AdminInfo = { proxy_url: null, version: packageVersion() };
const exposition = new ExpositionClient((request) => port.postMessage(request));
const app = createAdminApp({
  store,
  analytics,
  refresh,
  logger,
  info: () => info,
  statsReady: () => loaded,
  dashboardDir: DEFAULT_DASHBOARD_DIR,
  exposition: (format) => exposition.request(format),
});
const server = createAdaptorServer({ fetch: app.fetch }) as Server;
let loaded = false;

/** Writes one batch; the answer carries the store's own time for the recorder's metrics. */
async function write({ id, records }: Extract<ToDataWorker, { type: 'write' }>): Promise<void> {
  const startedAt = performance.now();
  try {
    const ids = await store.recordBatch(records);
    post({ type: 'written', id, seconds: (performance.now() - startedAt) / 1000 });
    sync.appended(records, ids);
  } catch (err) {
    const invalidIndex = err instanceof StoreWriteError ? err.invalidIndex : null;
    post({ type: 'write-failed', id, message: (err as Error).message, invalidIndex });
  }
}

async function stopListening(): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

async function close(): Promise<void> {
  await stopListening();
  await pruner.stop();
  await store.close();
  port?.close();
}

port.on('message', (message: ToDataWorker | { type: string }) => {
  if (exposition.handle(message)) return;
  const m = message as ToDataWorker;
  switch (m.type) {
    case 'write':
      void write(m);
      return;
    case 'proxy-url':
      info.proxy_url = m.url;
      post({ type: 'proxy-url-set' });
      return;
    case 'stop-listening':
      void stopListening().then(() => post({ type: 'stopped-listening' }));
      return;
    case 'close':
      void close();
      return;
  }
});

try {
  server.listen(data.port, data.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  server.on('error', (err) => logger.error({ err }, 'admin listener error'));
  post({ type: 'listening', url: `http://${host}:${address.port}` });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
  await store.close();
  port.close();
}

if (server.listening) {
  // Rows retention already deleted stay out of every answer, even rows a crash left behind.
  const marks = await store.retention();
  analytics.setRetainedFrom(marks.requestsBefore);
  const startedAt = performance.now();
  await loading;
  await refresh();
  if (marks.requestsBefore !== null) index.dropBefore(marks.requestsBefore); // rows a crash left behind a prune
  index.warmUpIfLarge(); // before the first stats request, not during it
  loaded = true;
  post({ type: 'stats-ready' });
  logger.info({ rows: index.size, ms: Math.round(performance.now() - startedAt) }, 'analytics index loaded');
  pruner.start(data.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS);
}
