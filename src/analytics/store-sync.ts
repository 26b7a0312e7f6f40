import type { AnalyticsRecord } from '../domain/request-record.js';
import type { Store } from '../store/types.js';

/** Rows per scan: small enough that one batch blocks the event loop (and the proxy) only ~20–30 ms. */
const SCAN_BATCH = 2000;

/**
 * Keeps the in-memory analytics index in step with the store by pulling rows in id order
 * (`store.scanForIndex(lastId)`). The same path loads the history at start-up and picks up each recorder
 * flush, so there is one way in and no row is added twice. Batches yield to the event loop
 * between them, so loading a large history never stalls the proxy.
 */
export class StoreSync {
  private lastId = 0;
  private tail: Promise<void> = Promise.resolve();
  /** A pass that has not started yet: it will see everything stored before it starts. */
  private queued: Promise<void> | null = null;
  /** A pass is pulling right now. */
  private pulling = false;

  constructor(
    private readonly store: Store,
    private readonly add: (records: readonly AnalyticsRecord[]) => void,
  ) {}

  /** Resolves once the index holds every row the store held when this was called. */
  refresh(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const pass = this.tail.then(() => {
      this.queued = null;
      return this.pull();
    });
    this.queued = pass;
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  /**
   * Loads the history with `load` (the store's fast path), which hands over rows in id order with
   * the id of the last one; refreshes wait for it and then go on from the last id it gave. When
   * it fails part-way, the next refresh picks up from there.
   */
  loadWith(load: (add: (records: readonly AnalyticsRecord[], lastId: number) => void) => Promise<void>): Promise<void> {
    const pass = this.tail.then(async () => {
      this.pulling = true;
      try {
        await load((records, lastId) => {
          this.add(records);
          this.lastId = lastId;
        });
      } finally {
        this.pulling = false;
      }
    });
    this.tail = pass.catch(() => undefined);
    return pass;
  }

  /**
   * The data thread has just written `records` as ids `range` (null: not one consecutive run).
   * When they directly follow what the index holds and no pull is under way, they are added as
   * they are, without reading them back; otherwise a pull picks them up from the store.
   */
  appended(records: readonly AnalyticsRecord[], range: { firstId: number; lastId: number } | null): void {
    const idle = !this.pulling && this.queued === null;
    if (idle && range !== null && range.firstId === this.lastId + 1 && range.lastId - range.firstId + 1 === records.length) {
      this.add(records);
      this.lastId = range.lastId;
      return;
    }
    void this.refresh().catch(() => undefined); // failures are logged by the next caller of refresh
  }

  private async pull(): Promise<void> {
    this.pulling = true;
    try {
      await this.pullAll();
    } finally {
      this.pulling = false;
    }
  }

  private async pullAll(): Promise<void> {
    for (;;) {
      const { records, lastId } = await this.store.scanForIndex(this.lastId, SCAN_BATCH);
      if (records.length === 0) return;
      this.add(records);
      this.lastId = lastId;
      if (records.length < SCAN_BATCH) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
