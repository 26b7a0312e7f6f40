/**
 * Columnar in-memory storage behind the analytics index: one growable typed array per field
 * (capacity grows by a quarter), strings dictionary-encoded, tags as posting lists of row indexes.
 *
 * Columns are as narrow as the values recorded so far allow, and widen (once, copying) when a
 * value does not fit:
 * - dictionary ids: Int8 → Int16 → Int32 (null is -1);
 * - token counts: Uint16 → Int32 (rounded, clamped to 0..2,147,483,647);
 * - duration, TTFT, TTLT and tokens/s: the value × 1000 as an Int32 while that is an integer
 *   from which value × 1000 / 1000 gives back exactly the value recorded (the proxy records them
 *   to 3 decimals), else the Float64 values (`MetricColumn`). Readers divide by `scale`, which
 *   gives back every recorded value exactly, so percentiles are exact; sums of scaled values are
 *   exact integers divided once.
 *
 * Nulls: number columns hold 0 for null and the row's `flags` say which values are present, so
 * that scans can sum and count without branching (branch mispredictions cost more than the
 * arithmetic). NaN and ±Infinity count as null (JSON cannot carry them either, and branch-free
 * per-side sums multiply by 0).
 */
import type { AnalyticsRecord } from '../domain/request-record.js';
import { ABSENT_KEY, valueKey } from './value-keys.js';

const TOKEN_MAX = 0x7fff_ffff;
const INT32_MIN = -0x8000_0000;
/** Scale of a metric column holding value × 1000 (3 decimals). */
export const METRIC_SCALE = 1000;

/**
 * Bit positions in the `flags` column: test with `(flags[i] >> BIT_X) & 1`. The bits aggregates
 * count come first, so `flags[i] & COUNTED_MASK` is a small histogram key.
 */
export const BIT_ERROR = 0;
export const BIT_STREAMED = 1;
export const BIT_USAGE = 2;
export const BIT_COST = 3;
export const BIT_DURATION = 4;
export const BIT_TTFT = 5;
export const BIT_TPS = 6;
export const COUNTED_BITS = 7;
export const COUNTED_MASK = (1 << COUNTED_BITS) - 1;
export const BIT_TTLT = 7;
export const BIT_INPUT = 8;
export const BIT_OUTPUT = 9;
export const BIT_TOTAL = 10;
export const BIT_CACHED = 11;
export const BIT_REASONING = 12;

const INITIAL_CAPACITY = 1024;
/** Rows per zone-map block (start_time min/max per block lets time filters skip or accept whole blocks). */
export const BLOCK_BITS = 10;

/** Strings ↔ small integer ids, in first-seen order; null is -1 and never stored. */
export class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  /** The last value interned and its id: rows in a row often share one. */
  private last: string | null = null;
  private lastId = -1;

  intern(value: string | null | undefined): number {
    if (value === null || value === undefined) return -1;
    if (value === this.last) return this.lastId;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    this.last = value;
    this.lastId = id;
    return id;
  }

  /** The id of a known value; undefined when the value was never seen. */
  lookup(value: string): number | undefined {
    return this.ids.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}

/** The dictionary of a boolean column: id 0 is 'false', 1 is 'true'. */
function booleanKeys(): Dictionary {
  const keys = new Dictionary();
  keys.intern('false');
  keys.intern('true');
  return keys;
}

/** Ascending row indexes of the rows carrying one tag pair. */
export class PostingList {
  rows = new Int32Array(16);
  length = 0;

  push(row: number): void {
    if (this.length === this.rows.length) {
      const grown = new Int32Array(this.length + (this.length >> 2) + 16);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.length++] = row;
  }

  /** Removes the rows below `n` and numbers the others from n down (rows dropped from the front). */
  dropBelow(n: number): void {
    const rows = this.rows;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! < n) lo = mid + 1;
      else hi = mid;
    }
    const kept = this.length - lo;
    for (let k = 0; k < kept; k++) rows[k] = rows[lo + k]! - n;
    this.length = kept;
    if (kept * 2 < rows.length && rows.length > 16) this.rows = rows.slice(0, Math.max(16, kept + (kept >> 2)));
  }
}

export type IdArray = Int8Array | Int16Array | Int32Array;
export type CountArray = Uint16Array | Int32Array;
export type MetricArray = Int32Array | Float64Array;
type RowArray = Float64Array | Int32Array | Int16Array | Int8Array | Uint16Array | Uint8Array;

/** An array like `a` of `cap` entries holding a's first `used` entries. */
function resized<T extends RowArray>(a: T, cap: number, used: number): T {
  const b = new (a.constructor as new (length: number) => T)(cap);
  b.set(a.subarray(0, Math.min(used, cap)) as never);
  return b;
}

/** An array of type `Type` holding a's entries (as many as a has). */
function widened<T extends RowArray>(a: RowArray, Type: new (length: number) => T): T {
  const b = new Type(a.length);
  b.set(a as never);
  return b;
}

/** Bytes of rows moved into smaller arrays per call after a large drop (Columns.shrinkSome). */
const SHRINK_BYTES = 8 << 20;

/** Capacity for `rows` rows and a quarter more, in whole zone-map blocks. */
function capacityFor(rows: number): number {
  const wanted = Math.max(INITIAL_CAPACITY, rows + (rows >> 2));
  return Math.ceil(wanted / (1 << BLOCK_BITS)) << BLOCK_BITS;
}

/** Dictionary ids, -1 for null: Int8 while they fit, then Int16, then Int32. */
class IdColumn {
  data: IdArray = new Int8Array(INITIAL_CAPACITY);
  private max = 0x7f;

  put(i: number, id: number): void {
    if (id > this.max) this.widen(id);
    this.data[i] = id;
  }

  private widen(id: number): void {
    if (id <= 0x7fff) {
      this.data = widened(this.data, Int16Array);
      this.max = 0x7fff;
    } else {
      this.data = widened(this.data, Int32Array);
      this.max = 0x7fff_ffff;
    }
  }
}

/** Token counts (null as 0): Uint16 while they fit, then Int32. */
class CountColumn {
  data: CountArray = new Uint16Array(INITIAL_CAPACITY);
  private max = 0xffff;

  /** Stores the count (rounded, clamped to the Int32 range); returns 1 << bit when present, else 0. */
  put(i: number, v: number | null | undefined, bit: number): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.data[i] = 0;
      return 0;
    }
    const c = !(v > 0) ? 0 : v >= TOKEN_MAX ? TOKEN_MAX : Math.round(v);
    if (c > this.max) {
      this.data = widened(this.data, Int32Array);
      this.max = TOKEN_MAX;
    }
    this.data[i] = c;
    return 1 << bit;
  }
}

/**
 * A metric (null as 0): value × METRIC_SCALE in an Int32 while every value recorded gives itself
 * back from that, else the values themselves (scale 1). Readers take data[i] / scale.
 */
export class MetricColumn {
  data: MetricArray = new Int32Array(INITIAL_CAPACITY);
  scale = METRIC_SCALE;

  /** Stores the value when present (else 0); returns 1 << bit when present, else 0. */
  put(i: number, v: number | null | undefined, bit: number): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.data[i] = 0;
      return 0;
    }
    if (this.scale !== 1) {
      const k = Math.round(v * METRIC_SCALE);
      // -0 would come back as 0; a value that does not round-trip is stored as it is.
      if (k / METRIC_SCALE === v && k <= 0x7fff_ffff && k >= INT32_MIN && (k !== 0 || 1 / v > 0)) {
        this.data[i] = k;
        return 1 << bit;
      }
      this.toFloat();
    }
    this.data[i] = v;
    return 1 << bit;
  }

  private toFloat(): void {
    const from = this.data;
    const to = new Float64Array(from.length);
    for (let j = 0; j < from.length; j++) to[j] = from[j]! / METRIC_SCALE;
    this.data = to;
    this.scale = 1;
  }
}

function keyOf(v: number | null | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? valueKey(v) : ABSENT_KEY;
}

export class Columns {
  size = 0;
  private capacity = INITIAL_CAPACITY;

  startTime = new Float64Array(INITIAL_CAPACITY);
  cost = new Float64Array(INITIAL_CAPACITY);
  flags = new Uint16Array(INITIAL_CAPACITY);
  /** Bucket keys (value-keys.ts) of duration, TTFT and tokens/s; ABSENT_KEY for null. */
  durationKey = new Uint16Array(INITIAL_CAPACITY);
  ttftKey = new Uint16Array(INITIAL_CAPACITY);
  tpsKey = new Uint16Array(INITIAL_CAPACITY);

  readonly durationColumn = new MetricColumn();
  readonly ttftColumn = new MetricColumn();
  readonly ttltColumn = new MetricColumn();
  readonly tpsColumn = new MetricColumn();

  private readonly inputColumn = new CountColumn();
  private readonly outputColumn = new CountColumn();
  private readonly totalColumn = new CountColumn();
  private readonly cachedColumn = new CountColumn();
  private readonly reasoningColumn = new CountColumn();

  private readonly modelColumn = new IdColumn();
  private readonly endpointColumn = new IdColumn();
  private readonly apiKeyColumn = new IdColumn();
  private readonly userColumn = new IdColumn();
  private readonly originColumn = new IdColumn();
  private readonly errorTypeColumn = new IdColumn();
  /** 1 for streamed rows, else 0: the ids of `streamedKeys` (a group-by dimension like the dictionary columns). */
  streamed = new Int8Array(INITIAL_CAPACITY);

  readonly models = new Dictionary();
  readonly endpoints = new Dictionary();
  readonly apiKeys = new Dictionary();
  readonly users = new Dictionary();
  readonly origins = new Dictionary();
  readonly errorTypes = new Dictionary();
  readonly streamedKeys = booleanKeys();

  /** Per block of 2^BLOCK_BITS rows: smallest and largest start_time (-Infinity/Infinity when one is NaN). */
  blockMin = new Float64Array(INITIAL_CAPACITY >> BLOCK_BITS);
  blockMax = new Float64Array(INITIAL_CAPACITY >> BLOCK_BITS);

  /** OR of every row's flags: a presence bit never set means the column is all null (all 0). */
  flagsSeen = 0;

  /** Some arrays are still longer than the capacity after a large drop (shrinkSome). */
  private shrinking = false;

  /** Posting lists by tag key, then value. */
  readonly tags = new Map<string, Map<string, PostingList>>();

  get duration(): MetricArray { return this.durationColumn.data; }
  get ttft(): MetricArray { return this.ttftColumn.data; }
  get ttlt(): MetricArray { return this.ttltColumn.data; }
  get tps(): MetricArray { return this.tpsColumn.data; }
  get inputTokens(): CountArray { return this.inputColumn.data; }
  get outputTokens(): CountArray { return this.outputColumn.data; }
  get totalTokens(): CountArray { return this.totalColumn.data; }
  get cachedTokens(): CountArray { return this.cachedColumn.data; }
  get reasoningTokens(): CountArray { return this.reasoningColumn.data; }
  get model(): IdArray { return this.modelColumn.data; }
  get endpoint(): IdArray { return this.endpointColumn.data; }
  get apiKey(): IdArray { return this.apiKeyColumn.data; }
  get user(): IdArray { return this.userColumn.data; }
  get origin(): IdArray { return this.originColumn.data; }
  get errorType(): IdArray { return this.errorTypeColumn.data; }

  /** The rows carrying tag key=value (undefined when none ever did). */
  tagList(key: string, value: string): PostingList | undefined {
    return this.tags.get(key)?.get(value);
  }

  /** Every per-row array, as a holder and its field, so that they grow, shift and shrink together. */
  private rowArrays(): [Record<string, RowArray>, string][] {
    const self = this as unknown as Record<string, RowArray>;
    const data = (c: { data: RowArray }): [Record<string, RowArray>, string] => [c as unknown as Record<string, RowArray>, 'data'];
    return [
      [self, 'startTime'], [self, 'cost'], [self, 'flags'], [self, 'durationKey'], [self, 'ttftKey'], [self, 'tpsKey'], [self, 'streamed'],
      data(this.durationColumn), data(this.ttftColumn), data(this.ttltColumn), data(this.tpsColumn),
      data(this.inputColumn), data(this.outputColumn), data(this.totalColumn), data(this.cachedColumn), data(this.reasoningColumn),
      data(this.modelColumn), data(this.endpointColumn), data(this.apiKeyColumn), data(this.userColumn), data(this.originColumn),
      data(this.errorTypeColumn),
    ];
  }

  /** Makes room for `rows` rows in all (no copy while they come in); capacity never shrinks here. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.reallocate(Math.ceil(rows / (1 << BLOCK_BITS)) << BLOCK_BITS);
  }

  private ensure(extra: number): void {
    const needed = this.size + extra;
    if (needed <= this.capacity) return;
    this.reallocate(capacityFor(Math.max(needed, this.capacity)));
  }

  /** Moves every column (and zone map) into arrays of `cap` rows (cap ≥ size, whole zone-map blocks). */
  private reallocate(cap: number): void {
    for (const [holder, field] of this.rowArrays()) holder[field] = resized(holder[field]!, cap, this.size);
    const blocks = (this.size + (1 << BLOCK_BITS) - 1) >> BLOCK_BITS;
    this.blockMin = resized(this.blockMin, cap >> BLOCK_BITS, blocks);
    this.blockMax = resized(this.blockMax, cap >> BLOCK_BITS, blocks);
    this.capacity = cap;
  }

  /**
   * Removes the first `n` rows (a multiple of the zone-map block, or every row): later rows move
   * down by n, and so do the rows in the posting lists. Dictionaries are kept. When the columns
   * would stay mostly empty they are reallocated smaller, so that the memory is returned.
   */
  dropLeading(n: number): void {
    if (n <= 0) return;
    if (n > this.size) throw new RangeError(`cannot drop ${n} of ${this.size} rows`);
    if (n !== this.size && (n & ((1 << BLOCK_BITS) - 1)) !== 0) throw new RangeError(`rows dropped must be whole blocks: ${n}`);
    const kept = this.size - n;
    const nb = n >> BLOCK_BITS;
    const blocks = (this.size + (1 << BLOCK_BITS) - 1) >> BLOCK_BITS;
    for (const [holder, field] of this.rowArrays()) holder[field]!.copyWithin(0, n, this.size);
    this.blockMin.copyWithin(0, nb, blocks);
    this.blockMax.copyWithin(0, nb, blocks);
    this.size = kept;
    const target = capacityFor(kept);
    if (target * 3 <= this.capacity * 2) {
      // A third or more would stay empty: move the columns into smaller arrays, some now, the
      // rest at the next adds (see shrinkSome).
      this.capacity = target;
      this.blockMin = this.blockMin.slice(0, target >> BLOCK_BITS);
      this.blockMax = this.blockMax.slice(0, target >> BLOCK_BITS);
      this.shrinking = true;
      this.shrinkSome();
    }
    for (const [key, byValue] of this.tags) {
      for (const [value, list] of byValue) {
        list.dropBelow(n);
        if (list.length === 0) byValue.delete(value);
      }
      if (byValue.size === 0) this.tags.delete(key);
    }
  }

  /**
   * Moves arrays longer than the capacity (after a large drop) into arrays of the capacity, up to
   * SHRINK_BYTES of rows per call: memory a process has not touched yet is slow to fill (page
   * faults), ~3 ms per MB on a busy 2-core VM, so one call stays short.
   */
  private shrinkSome(): void {
    let moved = 0;
    for (const [holder, field] of this.rowArrays()) {
      const a = holder[field]!;
      if (a.length <= this.capacity) continue;
      if (moved >= SHRINK_BYTES) return;
      holder[field] = resized(a, this.capacity, this.size);
      moved += this.size * a.BYTES_PER_ELEMENT;
    }
    this.shrinking = false;
  }

  add(records: readonly AnalyticsRecord[]): void {
    if (this.shrinking) this.shrinkSome();
    this.ensure(records.length);
    const { startTime, cost, flags, durationKey, ttftKey, tpsKey, streamed } = this;
    const { durationColumn, ttftColumn, ttltColumn, tpsColumn } = this;
    const { inputColumn, outputColumn, totalColumn, cachedColumn, reasoningColumn } = this;
    const { models, endpoints, apiKeys, users, origins, errorTypes } = this;
    let seen = this.flagsSeen;
    for (const r of records) {
      const i = this.size++;
      const t = typeof r.start_time === 'number' ? r.start_time : NaN;
      startTime[i] = t;
      this.noteBlock(i, t);
      const c = r.cost_usd;
      let costBit = 0;
      if (typeof c === 'number' && Number.isFinite(c)) {
        cost[i] = c;
        costBit = 1 << BIT_COST;
      } else {
        cost[i] = 0;
      }
      const streamedBit = r.was_streamed ? 1 : 0;
      const f =
        (r.is_error ? 1 << BIT_ERROR : 0) |
        (streamedBit << BIT_STREAMED) |
        (r.usage_source !== 'none' ? 1 << BIT_USAGE : 0) |
        costBit |
        inputColumn.put(i, r.input_tokens, BIT_INPUT) |
        outputColumn.put(i, r.output_tokens, BIT_OUTPUT) |
        totalColumn.put(i, r.total_tokens, BIT_TOTAL) |
        cachedColumn.put(i, r.cached_input_tokens, BIT_CACHED) |
        reasoningColumn.put(i, r.reasoning_tokens, BIT_REASONING) |
        durationColumn.put(i, r.duration_ms, BIT_DURATION) |
        ttftColumn.put(i, r.ttft_ms, BIT_TTFT) |
        ttltColumn.put(i, r.ttlt_ms, BIT_TTLT) |
        tpsColumn.put(i, r.tokens_per_second, BIT_TPS);
      flags[i] = f;
      seen |= f;
      durationKey[i] = keyOf(r.duration_ms);
      ttftKey[i] = keyOf(r.ttft_ms);
      tpsKey[i] = keyOf(r.tokens_per_second);
      streamed[i] = streamedBit;
      this.modelColumn.put(i, models.intern(r.model));
      this.endpointColumn.put(i, endpoints.intern(r.endpoint));
      this.apiKeyColumn.put(i, apiKeys.intern(r.api_key_id));
      this.userColumn.put(i, users.intern(r.user));
      this.originColumn.put(i, origins.intern(r.origin));
      this.errorTypeColumn.put(i, errorTypes.intern(r.error_type));
      const tags = r.tags;
      if (tags) {
        for (const key in tags) {
          if (!Object.hasOwn(tags, key)) continue;
          const value = tags[key];
          if (typeof value !== 'string') continue;
          let byValue = this.tags.get(key);
          if (byValue === undefined) {
            byValue = new Map();
            this.tags.set(key, byValue);
          }
          let list = byValue.get(value);
          if (list === undefined) {
            list = new PostingList();
            byValue.set(value, list);
          }
          list.push(i);
        }
      }
    }
    this.flagsSeen = seen;
  }

  private noteBlock(i: number, t: number): void {
    const b = i >> BLOCK_BITS;
    const first = (i & ((1 << BLOCK_BITS) - 1)) === 0;
    if (Number.isNaN(t)) {
      // Never skip nor wholly accept a block holding a NaN time: its rows get checked one by one.
      this.blockMin[b] = -Infinity;
      this.blockMax[b] = Infinity;
    } else if (first) {
      this.blockMin[b] = t;
      this.blockMax[b] = t;
    } else {
      if (t < this.blockMin[b]!) this.blockMin[b] = t;
      if (t > this.blockMax[b]!) this.blockMax[b] = t;
    }
  }

  /** Bytes held by the columns and posting lists (allocated capacity, not just the used part). */
  get allocatedBytes(): number {
    let bytes = this.blockMin.byteLength + this.blockMax.byteLength;
    for (const [holder, field] of this.rowArrays()) bytes += holder[field]!.byteLength;
    for (const byValue of this.tags.values()) for (const list of byValue.values()) bytes += list.rows.byteLength;
    return bytes;
  }
}
