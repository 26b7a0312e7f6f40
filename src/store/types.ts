import type { AnalyticsRecord, RequestRecord, StoredRequest } from '../domain/request-record.js';
import type { StatsFilter } from '../domain/stats-filter.js';
import type { UsageDimension, UsageFilter, UsageTotals } from '../domain/usage.js';

/** A page of `/stats/recent` or `/completion_requests`, newest first by start_time, then id. */
export interface RecentQuery {
  readonly filter: StatsFilter;
  /** Only completion endpoints (chat/completions, completions, responses, messages). */
  readonly completionsOnly?: boolean;
  readonly limit: number;
  readonly offset?: number;
  /** Cursor: only rows strictly older than this (start_time, id) pair. */
  readonly before?: { readonly start_time: number; readonly id: number };
}

/** A stored record with its id and epoch-ms start_time, as the analytics index loads it. */
export interface IndexedRecord {
  readonly id: number;
  readonly record: RequestRecord;
}

/** Ids of a written batch: firstId..lastId, in the order of its records. */
export interface WrittenIds {
  readonly firstId: number;
  readonly lastId: number;
}

/** Whole UTC days `[fromDay, toDay)` of the daily usage rollups, summed per day (and group). */
export interface DailyUsageQuery {
  readonly fromDay: number;
  readonly toDay: number;
  readonly filter: UsageFilter;
  readonly groupBy: UsageDimension | null;
}

/** One UTC day (of one group) from the daily rollups. */
export interface DailyUsageRow {
  /** Epoch ms of the UTC day's start. */
  readonly day: number;
  /** The group's value when grouped; absent when not. */
  readonly key?: string | null;
  readonly usage: UsageTotals;
}

/** How far retention has deleted (epoch ms); null where it never deleted anything. */
export interface RetentionMarks {
  /** Request rows with start_time before this were deleted. */
  readonly requestsBefore: number | null;
  /** Daily usage rollups of days before this were deleted. */
  readonly usageBefore: number | null;
}

/** Storage behind the recorder and the stats API. Every adapter passes test/contract/store-contract.ts. */
export interface Store {
  /**
   * Writes all records (and their tags) in one transaction, adding them to the daily usage
   * rollups in the same transaction; rejects (writing none) if any fails. Resolves with the ids
   * the rows got when they are one consecutive run (firstId..lastId in record order), else null.
   */
  recordBatch(records: readonly RequestRecord[]): Promise<WrittenIds | null>;
  /** Newest first by start_time (ties: newest id first), filtered, paged by offset or cursor. */
  recent(query: RecentQuery): Promise<StoredRequest[]>;
  getRequest(id: number): Promise<StoredRequest | null>;
  /** Records with id > afterId in id order, at most `limit`: loads and refreshes the analytics index. */
  scan(afterId: number, limit: number): Promise<IndexedRecord[]>;
  /**
   * The same rows as `scan`, with only the fields the analytics index reads, built as cheaply as
   * the adapter can (this loads the whole retained history at start-up). `lastId` is the id of
   * the last row returned (afterId when none).
   */
  scanForIndex(afterId: number, limit: number): Promise<{ records: AnalyticsRecord[]; lastId: number }>;
  /**
   * At least as many as the request rows stored, cheaply (SQLite: the span of ids, read from the
   * ends of the primary key; a count would read the whole table): the index reserves room for
   * them before loading.
   */
  estimateRequests(): Promise<number>;
  /**
   * Feeds every stored row's index fields to `add`, batch by batch in id order, as fast as the
   * adapter can (SQLite reads on a thread of its own): the start-up load. Rows written meanwhile
   * may or may not be included; the caller catches up from the last id it was given. Rejects on
   * failure, after which the caller goes on with `scanForIndex`.
   */
  loadHistory(add: (records: readonly AnalyticsRecord[], lastId: number) => void): Promise<void>;
  dailyUsage(query: DailyUsageQuery): Promise<DailyUsageRow[]>;
  /** First and last day held by the daily rollups; null when there are none. */
  usageSpan(): Promise<{ first: number; last: number } | null>;
  retention(): Promise<RetentionMarks>;
  /**
   * Deletes at most `limit` request rows (with their tags) whose start_time is before `before`,
   * in one short transaction; when it deletes any, `requestsBefore` becomes at least `before`.
   * Returns how many rows it deleted: call again until that is less than `limit`.
   */
  pruneRequests(before: number, limit: number): Promise<number>;
  /** Deletes the daily rollups of the days before `beforeDay` (a UTC midnight); returns how many rows went. */
  pruneUsage(beforeDay: number): Promise<number>;
  /**
   * After a prune: gives space back to the file system where far more is free than steady
   * traffic will reuse (SQLite: incremental vacuum; adapters without the need do nothing).
   */
  reclaimSpace(): Promise<void>;
  close(): Promise<void>;
}
