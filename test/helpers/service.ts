import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';

export interface TestService extends RunningService {
  /** A connection of the test's own to the service's database (the service's is on its data thread). */
  readonly store: Store;
  readonly dir: string;
  readonly dbPath: string;
  /** Waits until at least `n` rows are stored, then returns the newest `n`, oldest first. */
  rows(n: number, timeoutMs?: number): Promise<StoredRequest[]>;
  /** Rows stored so far, after a flush (call before the requests of a test). */
  rowCount(): Promise<number>;
  /** The n-th row (1-based, oldest first), waiting until it is stored. */
  rowAt(n: number): Promise<StoredRequest>;
  /** The newest row once there are `count + 1`: the one written after `rowCount()` returned `count`. */
  rowAfter(count: number): Promise<StoredRequest>;
  /** close() and remove the temporary directory. */
  dispose(): Promise<void>;
}

export function testConfig(overrides: Partial<Config> & { upstreamUrl: string }, dir: string): Config {
  return Object.freeze({
    proxyPort: 0,
    proxyHost: '127.0.0.1',
    adminPort: 0,
    adminHost: '127.0.0.1',
    upstreamTimeoutMs: 10_000,
    dbPath: join(dir, 'metrics.db'),
    logLevel: 'silent',
    shutdownTimeoutMs: 2000,
    flushIntervalMs: 10,
    retentionDays: 0,
    usageRetentionDays: 0,
    pricesFile: null,
    apiKeySecret: 'test-secret',
    userHeader: 'x-user-id',
    tagHeaderPrefix: 'x-metrics-tag-',
    proxyPathPrefixes: ['/v1/', '/api/'],
    streamUsage: 'off',
    metricsLabelLimit: 100,
    metricsAttributionLabels: [],
    genAiProviderName: 'openai',
    otelExporterOtlpEndpoint: null,
    otelExporterOtlpMetricsEndpoint: null,
    otelExporterOtlpTracesEndpoint: null,
    otelServiceName: null,
    otelResourceAttributes: {},
    otelMetricExportIntervalMs: 60_000,
    ...overrides,
  });
}

/** The whole service in this process, on 127.0.0.1 port 0, over a SQLite file in a temp dir. */
export async function startTestService(overrides: Partial<Config> & { upstreamUrl: string }): Promise<TestService> {
  const dir = mkdtempSync(join(tmpdir(), 'lmp-test-'));
  const config = testConfig(overrides, dir);
  const service = await startService(config, createLogger(config.logLevel));
  const store = openStore({ dbPath: config.dbPath });
  const rows = async (n: number, timeoutMs = 5000): Promise<StoredRequest[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await service.recorder.flush();
      const recent = await store.recent({ filter: {}, limit: 1000 });
      if (recent.length >= n) return recent.slice(0, n).reverse();
      if (Date.now() > deadline) throw new Error(`expected ${n} rows, found ${recent.length}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  const rowAt = async (n: number): Promise<StoredRequest> => {
    const row = (await rows(n)).at(-1);
    if (row === undefined) throw new Error(`no row ${n}`);
    return row;
  };
  return {
    ...service,
    store,
    dir,
    dbPath: config.dbPath,
    rows,
    async rowCount() {
      await service.recorder.flush();
      return (await store.recent({ filter: {}, limit: 1_000_000 })).length;
    },
    rowAt,
    rowAfter: (count) => rowAt(count + 1),
    async dispose() {
      await service.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
