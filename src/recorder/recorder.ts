import { StoreWriteError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RequestRecord } from '../domain/request-record.js';

/** Where the recorder writes batches: a store, or the data thread that owns one. */
export interface BatchSink {
  /** May resolve with a `TimedWrite` (the data thread does); otherwise the recorder times the call. */
  recordBatch(records: readonly RequestRecord[]): Promise<unknown>;
}

/** How long the store itself took for a batch, as measured where it ran. */
export interface TimedWrite {
  readonly storeSeconds: number;
}

function isTimedWrite(value: unknown): value is TimedWrite {
  return typeof value === 'object' && value !== null && typeof (value as TimedWrite).storeSeconds === 'number';
}

const MAX_RETRY_DELAY_MS = 30_000;

export interface RecorderOptions {
  /** How long a row may wait in the queue before a flush, in ms. */
  readonly flushIntervalMs: number;
  /** Rows written per transaction at most; a full batch is flushed at once. */
  readonly maxBatch?: number;
  /**
   * Rows held while the store is failing. Past this the oldest are dropped (and counted) rather
   * than memory growing without bound.
   */
  readonly maxQueue?: number;
  /** Told about every write and every dropped row (metrics); must not throw. */
  readonly observer?: RecorderObserver;
}

export interface RecorderObserver {
  /** A batch of `rows` rows was written; the store took `seconds`. */
  written(rows: number, seconds: number): void;
  /** `rows` rows were dropped: the queue overflowed, or the store rejected a row as invalid. */
  dropped(rows: number): void;
}

export interface RecorderStats {
  readonly queued: number;
  readonly recorded: number;
  readonly dropped: number;
  readonly failedWrites: number;
}

/**
 * Queues rows from the proxy and writes them to the store in batches, off the request path:
 * `enqueue` only pushes to an array; writes run on a timer. A failing store is retried on the
 * next tick of the timer and never surfaces to clients.
 */
export class Recorder {
  private queue: RequestRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<boolean> | null = null;
  /** Consecutive failed writes of a failing store (0 when healthy). */
  private failures = 0;
  private closed = false;
  private recorded = 0;
  private dropped = 0;
  private failedWrites = 0;
  private readonly maxBatch: number;
  private readonly maxQueue: number;

  constructor(
    private readonly store: BatchSink,
    private readonly logger: Logger,
    private readonly options: RecorderOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxQueue = options.maxQueue ?? 100_000;
  }

  enqueue(record: RequestRecord): void {
    this.queue.push(record);
    if (this.queue.length > this.maxQueue) {
      const excess = this.queue.length - this.maxQueue;
      this.queue.splice(0, excess);
      this.dropped += excess;
      this.options.observer?.dropped(excess);
      this.logger.error({ dropped: excess, maxQueue: this.maxQueue }, 'recorder queue full; oldest rows dropped');
    }
    if (this.closed) return; // close() is flushing everything that arrives
    if (this.failures > 0) this.schedule(this.retryDelayMs()); // failing store: back off, don't hammer it
    else if (this.queue.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.options.flushIntervalMs);
  }

  stats(): RecorderStats {
    return { queued: this.queue.length, recorded: this.recorded, dropped: this.dropped, failedWrites: this.failedWrites };
  }

  /** Writes everything queued so far; resolves when the store has it (or the write failed). */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.writing !== null) await this.writing;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.writing = this.write(batch);
      const ok = await this.writing;
      this.writing = null;
      if (!ok) return;
      // A backlog is written batch by batch with the event loop free in between.
      if (this.queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Final flush on shutdown: everything enqueued before and during it is written. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    if (this.queue.length > 0) {
      await this.flush(); // one retry after a failed write
      if (this.queue.length > 0) {
        this.logger.error({ lost: this.queue.length }, 'store unavailable at shutdown; rows not recorded');
      }
    }
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().then(() => {
        if (this.queue.length > 0 && !this.closed) this.schedule(this.failures > 0 ? this.retryDelayMs() : this.options.flushIntervalMs);
      });
    }, delayMs);
  }

  /** Writes one batch; resolves true when stored, false when it was put back for a later try. Never rejects. */
  private async write(batch: RequestRecord[]): Promise<boolean> {
    try {
      const startedAt = performance.now();
      const result = await this.store.recordBatch(batch);
      const seconds = isTimedWrite(result) ? result.storeSeconds : (performance.now() - startedAt) / 1000;
      this.options.observer?.written(batch.length, seconds);
      this.recorded += batch.length;
      this.failures = 0;
      return true;
    } catch (err) {
      this.failedWrites++;
      if (err instanceof StoreWriteError && err.invalidIndex !== null) {
        // One record can never be written (a capture bug): set it aside, keep the others moving.
        const [bad] = batch.splice(err.invalidIndex, 1);
        this.dropped++;
        this.options.observer?.dropped(1);
        this.logger.error({ err, record: bad }, 'invalid record dropped');
      } else {
        this.failures++;
        this.logger.error({ err, rows: batch.length, retryInMs: this.retryDelayMs() }, 'store write failed; rows kept for retry');
      }
      this.queue = batch.concat(this.queue); // back to the front, in order, for the next try
      return false;
    }
  }

  /** Exponential backoff while the store keeps failing: the flush interval doubled per failure, at most 30 s. */
  private retryDelayMs(): number {
    return Math.min(this.options.flushIntervalMs * 2 ** Math.min(this.failures, 16), MAX_RETRY_DELAY_MS);
  }
}
