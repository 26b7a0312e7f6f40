/**
 * The Analytics contract against MemoryAnalytics: the in-memory index loaded from a real SQLite
 * store (in a temp dir) with `store.scan`, and the store's daily rollups for whole days of usage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import { MemoryAnalytics } from '../../src/analytics/memory-analytics.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { analyticsContract, type AnalyticsRetention, type OpenAnalytics } from './analytics-contract.js';

const PRUNE_LIMIT = 700;

async function writeAll(store: SqliteStore, records: readonly RequestRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) await store.recordBatch(records.slice(i, i + 500));
}

async function prune(store: SqliteStore, retention: AnalyticsRetention): Promise<void> {
  if (retention.usageRetainedFrom !== undefined) await store.pruneUsage(retention.usageRetainedFrom);
  if (retention.retainedFrom !== undefined) {
    while ((await store.pruneRequests(retention.retainedFrom, PRUNE_LIMIT)) === PRUNE_LIMIT);
  }
}

async function load(store: SqliteStore): Promise<AnalyticsIndex> {
  const index = new AnalyticsIndex();
  for (let afterId = 0; ; ) {
    const page = await store.scan(afterId, 1000);
    if (page.length === 0) return index;
    index.add(page.map((r) => r.record));
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * `loadFirst`: the index loads the rows before the prune, so it still holds the deleted ones (as a
 * running service's does); `drop`: then it drops what it can before the floor, as the data thread does.
 */
function opener(loadFirst: boolean, drop = false): OpenAnalytics {
  return async (records, retention = {}) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-analytics-contract-'));
    const store = openSqliteStore(path.join(dir, 'metrics.db'));
    try {
      await writeAll(store, records);
      let index: AnalyticsIndex;
      if (loadFirst) {
        index = await load(store);
        await prune(store, retention);
        if (drop && retention.retainedFrom !== undefined) index.dropBefore(retention.retainedFrom);
      } else {
        await prune(store, retention);
        index = await load(store);
      }
      const analytics = new MemoryAnalytics(index, store);
      analytics.setRetainedFrom(retention.retainedFrom ?? null);
      return {
        analytics,
        async close() {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  };
}

analyticsContract('MemoryAnalytics over SQLite', opener(false));
analyticsContract('MemoryAnalytics over SQLite, index loaded before the prune', opener(true));
analyticsContract('MemoryAnalytics over SQLite, index loaded before the prune, then dropBefore', opener(true, true));
