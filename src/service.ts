import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
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
import { startDataThread } from './worker/data-thread.js';

export interface RunningService {
  /** e.g. `http://127.0.0.1:8080` (the bound address; port 0 resolved). */
  readonly proxyUrl: string;
  readonly adminUrl: string;
  readonly recorder: Recorder;
  /** False while the data thread's analytics index is still loading the recorded history. */
  statsReady(): boolean;
  /**
   * Graceful stop: stop accepting, give in-flight requests `config.shutdownTimeoutMs`, flush every
   * row, close the store. Safe to call twice.
   */
  close(): Promise<void>;
}

/**
 * Starts the data thread (the store's one owner: writes, retention, analytics index, admin
 * listener), the recorder that hands it rows, and the proxy listener on this thread. Used by
 * main.ts and by the tests.
 */
export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const capture = { ...loadCaptureContext(config), tokens: config.streamUsage === 'off' ? null : await loadTokenCounter() };
  const metrics = await startServiceMetrics(config, logger);
  // The data thread starts beside the proxy: rows recorded before it listens wait in its queue.
  const data = startDataThread(
    {
      dbPath: config.dbPath,
      port: config.adminPort,
      host: config.adminHost,
      logLevel: config.logLevel,
      retentionDays: config.retentionDays,
      usageRetentionDays: config.usageRetentionDays,
    },
    logger,
    (format) => metrics.exposition(format),
  );
  // The recorder's writes are posted to the data thread: no transaction runs on this event loop.
  const recorder = new Recorder(data, logger, { flushIntervalMs: config.flushIntervalMs, observer: metrics.recorder });
  metrics.watchQueueDepth(() => recorder.stats().queued);
  const target = resolveUpstream(config.upstreamUrl);
  const dispatcher = new Agent({
    headersTimeout: config.upstreamTimeoutMs,
    bodyTimeout: config.upstreamTimeoutMs,
    connectTimeout: Math.min(config.upstreamTimeoutMs, 10_000),
  });
  const proxy = createProxyServer({ dispatcher, target, logger, capture, record: (r) => recorder.enqueue(r), pathPrefixes: config.proxyPathPrefixes, observer: metrics.exchanges, statsReady: () => data.statsReady() });

  // The proxy listens without waiting for the data thread (which opens and migrates the store and
  // warms up the index): it forwards from the first moment; both must be up for the start to succeed.
  const [proxyListen, adminListen] = await Promise.allSettled([
    listen(proxy.server, config.proxyPort, config.proxyHost, 'proxy'),
    data.listening,
  ]);
  if (proxyListen.status === 'rejected' || adminListen.status === 'rejected') {
    proxy.server.close();
    await data.close();
    await dispatcher.close();
    await metrics.close();
    throw adminListen.status === 'rejected' ? adminListen.reason : (proxyListen as PromiseRejectedResult).reason;
  }
  const proxyUrl = proxyListen.value;
  const adminUrl = adminListen.value;
  // After listening, an 'error' (e.g. EMFILE on accept) would otherwise crash the process.
  proxy.server.on('error', (err) => logger.error({ err }, 'proxy listener error'));
  await data.setProxyUrl(proxyUrl);
  logger.info({ proxy: proxyUrl, admin: adminUrl, upstream: target.display, db: config.dbPath }, 'llm-metrics-proxy listening');

  let closing: Promise<void> | null = null;
  const close = async (): Promise<void> => {
    const inflight = proxy.inflight();
    logger.info({ inflight, graceMs: config.shutdownTimeoutMs }, 'stopping');
    try {
      const results = await Promise.allSettled([data.stopListening(), proxy.drain(config.shutdownTimeoutMs)]);
      for (const r of results) if (r.status === 'rejected') logger.error({ err: r.reason }, 'error while stopping');
    } finally {
      // Whatever failed above, every queued row is still written, then the data thread closes the store.
      await recorder.close();
      await dispatcher.close().catch(() => undefined);
      await data.close();
      await metrics.close(); // last: OTLP export sends the final counts and spans
      logger.info(recorder.stats(), 'stopped');
    }
  };
  return {
    proxyUrl,
    adminUrl,
    recorder,
    statsReady: () => data.statsReady(),
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
