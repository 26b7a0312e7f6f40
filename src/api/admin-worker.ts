/**
 * The admin listener's own thread: its own read connection to the store, the analytics index and
 * the Hono app. Stats queries (up to ~100 ms over a million rows) and the start-up load of the
 * history therefore never hold up the proxy's event loop, and use the machine's second core.
 *
 * Messages: parent → worker `{type:'refresh'}` (rows were written), `{type:'proxy-url', url}`
 * (the proxy listens; answered by `{type:'proxy-url-set'}`) and `{type:'close'}`;
 * worker → parent `{type:'listening', url}`, `{type:'failed', message}`, `{type:'closed'}`;
 * and the Prometheus exposition, asked of the parent for each scrape (exposition-bridge.ts).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { createAdaptorServer } from '@hono/node-server';
import { AnalyticsIndex } from '../analytics/analytics-index.js';
import { StoreSync } from '../analytics/store-sync.js';
import { MemoryAnalytics } from '../analytics/memory-analytics.js';
import { createLogger, type LogLevel } from '../logger.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createAdminApp } from './admin-app.js';
import { packageVersion } from './admin-info.js';
import { DEFAULT_DASHBOARD_DIR } from './dashboard-routes.js';
import { ExpositionClient } from './exposition-bridge.js';
import type { AdminInfo } from './stats-shapes.js';

export interface AdminWorkerData {
  readonly dbPath: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
}

export type AdminWorkerMessage =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'proxy-url-set' }
  | { readonly type: 'closed' };

const port = parentPort;
if (port === null) throw new Error('admin-worker.ts runs as a worker thread only');
const data = workerData as AdminWorkerData;
const post = (message: AdminWorkerMessage): void => port.postMessage(message);

const logger = createLogger(data.logLevel).child({ thread: 'admin' });
const store = openSqliteStore(data.dbPath);
const index = new AnalyticsIndex();
const analytics = new MemoryAnalytics(index, store);
const sync = new StoreSync(store, (records) => index.add(records));
const refresh = (): Promise<void> =>
  sync.refresh().catch((err: unknown) => logger.error({ err }, 'analytics refresh from the store failed'));
// The proxy starts listening after this thread does, so its address arrives by message.
const info: AdminInfo = { proxy_url: null, version: packageVersion() };
const exposition = new ExpositionClient((request) => port.postMessage(request));
const app = createAdminApp({
  store,
  analytics,
  refresh,
  logger,
  info: () => info,
  dashboardDir: DEFAULT_DASHBOARD_DIR,
  exposition: (format) => exposition.request(format),
});
const server = createAdaptorServer({ fetch: app.fetch }) as Server;

port.on('message', (message: { type: string; url?: string }) => {
  if (exposition.handle(message)) return;
  if (message.type === 'refresh') void refresh();
  else if (message.type === 'proxy-url') {
    info.proxy_url = message.url ?? null;
    post({ type: 'proxy-url-set' });
  } else if (message.type === 'close') void close();
});

async function close(): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await store.close();
  post({ type: 'closed' });
  port?.close();
}

try {
  server.listen(data.port, data.host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  server.on('error', (err) => logger.error({ err }, 'admin listener error'));
  post({ type: 'listening', url: `http://${host}:${address.port}` });
  void refresh(); // load the recorded history; stats requests wait for it
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
  await store.close();
  port.close();
}
