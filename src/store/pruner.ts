/**
 * Retention: deletes request rows older than RETENTION_DAYS and daily usage rollups older than
 * USAGE_RETENTION_DAYS, on the data thread. Rows go in small transactions with the event loop free
 * in between, so writes and stats queries go on while a large backlog is deleted. Time is
 * injectable, so tests age data without waiting.
 */
import { DAY_MS, utcDay } from '../domain/usage.js';
import type { Logger } from '../logger.js';
import type { Store } from './types.js';

export interface PrunerOptions {
  readonly store: Pick<Store, 'pruneRequests' | 'pruneUsage' | 'reclaimSpace'>;
  /** 0 keeps request rows forever. */
  readonly retentionDays: number;
  /** 0 keeps the daily usage rollups forever. */
  readonly usageRetentionDays: number;
  readonly logger: Logger;
  readonly now?: () => number;
  /** Rows deleted per transaction. */
  readonly batchRows?: number;
  /** Called once a pass has deleted rows before `cutoff` (after its first batch, then at its end). */
  readonly onPruned?: (cutoff: number) => void;
}

export interface PruneResult {
  readonly requests: number;
  readonly usageRows: number;
}

const DEFAULT_BATCH_ROWS = 2000;

export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PruneResult> | null = null;
  private stopped = false;
  private readonly now: () => number;
  private readonly batchRows: number;

  constructor(private readonly options: PrunerOptions) {
    this.now = options.now ?? Date.now;
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  }

  /** Whether there is anything to prune at all. */
  get enabled(): boolean {
    return this.options.retentionDays > 0 || this.options.usageRetentionDays > 0;
  }

  /** Runs a pass now and then every `intervalMs` (timers unref'd: they never keep the process up). */
  start(intervalMs: number): void {
    if (!this.enabled || this.stopped) return;
    const tick = (): void => {
      this.timer = null;
      void this.runOnce()
        .catch((err: unknown) => this.options.logger.error({ err }, 'retention pass failed; retried on the next one'))
        .finally(() => {
          if (!this.stopped) {
            this.timer = setTimeout(tick, intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /** One pass; a pass already running is joined instead of started twice. */
  runOnce(): Promise<PruneResult> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  /** Ends the timer and waits for a running pass, which stops after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<PruneResult> {
    const { store, retentionDays, usageRetentionDays, onPruned, logger } = this.options;
    const now = this.now();
    let requests = 0;
    if (retentionDays > 0) {
      const cutoff = now - retentionDays * DAY_MS;
      for (;;) {
        const deleted = await store.pruneRequests(cutoff, this.batchRows);
        requests += deleted;
        if (deleted > 0 && requests === deleted) onPruned?.(cutoff); // answers exclude them from the first batch on
        if (deleted < this.batchRows || this.stopped) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (requests > 0) {
        onPruned?.(cutoff);
        await store.reclaimSpace();
        logger.info({ deleted: requests, before: new Date(cutoff).toISOString() }, 'retention: old request rows deleted');
      }
    }
    let usageRows = 0;
    if (usageRetentionDays > 0 && !this.stopped) {
      const beforeDay = utcDay(now) - usageRetentionDays * DAY_MS;
      usageRows = await store.pruneUsage(beforeDay);
      if (usageRows > 0) logger.info({ deleted: usageRows, before: new Date(beforeDay).toISOString() }, 'retention: old daily usage deleted');
    }
    return { requests, usageRows };
  }
}
