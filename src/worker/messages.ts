/**
 * What the main thread and the data thread say to each other (besides the exposition bridge's
 * messages, exposition-bridge.ts).
 *
 * main → data: `write` (a batch of rows), `proxy-url`, `stop-listening`, `close`.
 * data → main: `listening` or `failed` (once, at start), `written` / `write-failed` (per write),
 * `stats-ready` (the index has loaded the history), `proxy-url-set`, `stopped-listening`.
 */
import type { RequestRecord } from '../domain/request-record.js';
import type { LogLevel } from '../logger.js';

export interface DataWorkerData {
  readonly dbPath: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  /** Request rows older than this many days are deleted; 0 keeps them. */
  readonly retentionDays: number;
  /** Daily usage rollups older than this many days are deleted; 0 keeps them. */
  readonly usageRetentionDays: number;
  /** Time between retention passes (the first runs at start-up). */
  readonly pruneIntervalMs?: number;
}

export type ToDataWorker =
  | { readonly type: 'write'; readonly id: number; readonly records: readonly RequestRecord[] }
  | { readonly type: 'proxy-url'; readonly url: string }
  | { readonly type: 'stop-listening' }
  | { readonly type: 'close' };

export type FromDataWorker =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'failed'; readonly message: string; readonly code?: string }
  | { readonly type: 'written'; readonly id: number; readonly seconds: number }
  | { readonly type: 'write-failed'; readonly id: number; readonly message: string; readonly invalidIndex: number | null }
  | { readonly type: 'stats-ready' }
  | { readonly type: 'proxy-url-set' }
  | { readonly type: 'stopped-listening' };
