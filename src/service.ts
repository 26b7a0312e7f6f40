import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { startAdminThread } from './api/admin-thread.js';
import { loadOrCreateKeySecret } from './capture/attribution.js';
import type { CaptureContext } from './capture/capture-context.js';
import { loadTokenCounter } from './capture/token-estimate.js';
import type { Config } from './config/config.js';
import { ConfigError } from './config/load-config.js';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import { startServiceMetrics } from './metrics/service-metrics.js';
import { PriceTable } from './pricing/price-table.js';
import { createProxyServer } from './proxy/proxy-server.js';
import { resolveUpstream } from './proxy/upstream-target.js';
import { Recorder } from './recorder/recorder.js';
import { openSqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/types.js';

export interface RunningService {
  /** e.g. `http://127.0.0.1:8080` (the bound address; port 0 resolved). */
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly store: Store;
  readonly recorder: Recorder;
  /**
   * Graceful stop: stop accepting, give in-flight requests `config.shutdownTimeoutMs`, flush every
   * row, close the store. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Opens the store, starts the recorder, the proxy listener on this thread and the admin listener
 * (stats API + analytics index) on its own thread. Used by main.ts and by the tests.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const capture = { ...loadCaptureContext(config), tokens: config.streamUsage === 'off' ? null : await loadTokenCounter() };
  const metrics = await startServiceMetrics(config, logger);
  const store = openSqliteStore(config.dbPath); // creates and migrates the database before the admin thread reads it
  let admin: Awaited<ReturnType<typeof startAdminThread>>;
  try {
    const adminData = { dbPath: config.dbPath, port: config.adminPort, host: config.adminHost, logLevel: config.logLevel };
    admin = await startAdminThread(adminData, logger, (format) => metrics.exposition(format));
  } catch (err) {
    await store.close();
    await metrics.close();
    throw err;
  }
  const recorder = new Recorder(store, logger, { flushIntervalMs: config.flushIntervalMs, onWritten: () => admin.refresh(), observer: metrics.recorder });
  metrics.watchQueueDepth(() => recorder.stats().queued);
  const target = resolveUpstream(config.upstreamUrl);
  const dispatcher = new Agent({
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs,
    connectTimeout: Math.min(config.upstreamTimeoutMs, 10_000),
  });
  const proxy = createProxyServer({ dispatcher, target, logger, capture, record: (r) => recorder.enqueue(r), pathPrefixes: config.proxyPathPrefixes, observer: metrics.exchanges });

  let proxyUrl: string;
  try {
    proxyUrl = await listen(proxy.server, config.proxyPort, config.proxyHost, 'proxy');
  } catch (err) {
    proxy.server.close();
    await admin.close();
    await dispatcher.close();
    await store.close();
    await metrics.close();
    throw err;
  }
  // After listening, an 'error' (e.g. EMFILE on accept) would otherwise crash the process.
  proxy.server.on('error', (err) => logger.error({ err }, 'proxy listener error'));
  await admin.setProxyUrl(proxyUrl);
  logger.info({ proxy: proxyUrl, admin: admin.url, upstream: target.display, db: config.dbPath }, 'llm-metrics-proxy listening');

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const inflight = proxy.inflight();
    logger.info({ inflight, graceMs: config.shutdownTimeoutMs }, 'stopping');
    try {
      const results = await Promise.allSettled([admin.close(), proxy.drain(config.shutdownTimeoutMs)]);
      for (const r of results) if (r.status === 'rejected') logger.error({ err: r.reason }, 'error while stopping');
    } finally {
      // Whatever failed above, every queued row is still written.
      await recorder.close();
      await dispatcher.close().catch(() => undefined);
      await store.close();
      await metrics.close(); // last: OTLP export sends the final counts and spans
      logger.info(recorder.stats(), 'stopped');
    }
  };
  return {
    proxyUrl,
    adminUrl: admin.url,
    store,
    recorder,
    close: () => (closing ??= close()),
  };
}

/**
 * Price table, attribution and stream-usage settings; a bad price file is a configuration error
 * (exit 2). The token counter (for estimates) is loaded by the caller, asynchronously.
 */
function loadCaptureContext(config: Config): CaptureContext {
  let prices: PriceTable | null = null;
  if (config.pricesFile !== null) {
    try {
      prices = PriceTable.load(config.pricesFile);
    } catch (err) {
      throw new ConfigError([`PRICES_FILE: ${(err as Error).message}`], { cause: err });
    }
  }
  const keySecret = config.apiKeySecret !== null ? Buffer.from(config.apiKeySecret, 'utf8') : loadOrCreateKeySecret(config.dbPath);
  return {
    prices,
    attribution: { keySecret, userHeader: config.userHeader, tagPrefix: config.tagHeaderPrefix },
    streamUsage: config.streamUsage,
    tokens: null,
  };
}

async function listen(server: Server, port: number, host: string, name: string): Promise<string> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (err) {
    throw new AppError('LMP_LISTEN_FAILED', `cannot listen for ${name} on ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}
