/**
 * Columnar in-memory storage behind the analytics index: one growable typed array per field
 * (capacity doubling), strings dictionary-encoded, tags as posting lists of row indexes.
 *
 * Nulls: dictionary columns (Int32) hold -1. Number columns hold 0 for null and the row's
 * `flags` say which values are present, so that scans can sum and count without branching
 * (branch mispredictions cost more than the arithmetic). Token counts are rounded and clamped
 * to 0..2,147,483,647; NaN and ±Infinity count as null (JSON cannot carry them either, and
 * branch-free per-side sums multiply by 0).
 */
import type { RequestRecord } from '../domain/request-record.js';
import { ABSENT_KEY, valueKey } from './value-keys.js';

const TOKEN_MAX = 0x7fff_ffff;

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

  intern(value: string | null | undefined): number {
    if (value === null || value === undefined) return -1;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
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
    if (this.length === this.rows.length) this.rows = growI32(this.rows, this.rows.length * 2);
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

type RowArray = Float64Array | Int32Array | Uint16Array;

/** An array like `a` of `cap` entries holding a's first `used` entries. */
function resized<T extends RowArray>(a: T, cap: number, used: number): T {
  const b = new (a.constructor as new (length: number) => T)(cap);
  b.set(a.subarray(0, Math.min(used, cap)) as never);
  return b;
}

/** Capacity to leave after dropping rows: what remains plus a quarter, in whole zone-map blocks. */
function capacityFor(rows: number): number {
  const wanted = Math.max(INITIAL_CAPACITY, rows + (rows >> 2));
  return Math.ceil(wanted / (1 << BLOCK_BITS)) << BLOCK_BITS;
}
export function growI32(a: Int32Array, cap: number) {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

function present(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A token count as stored (null as 0), clamped to the Int32 range. */
function token(v: number | null | undefined): number {
  if (typeof v !== 'number' || !(v > 0)) return 0;
  return v >= TOKEN_MAX ? TOKEN_MAX : Math.round(v);
}

/** Sets bit `bit` when the value is present; stores it (or 0) at col[i]. */
function put(col: Float64Array, i: number, v: number | null | undefined, bit: number): number {
  if (present(v)) {
    col[i] = v;
    return 1 << bit;
  }
  col[i] = 0;
  return 0;
}

function keyOf(v: number | null | undefined): number {
  return present(v) ? valueKey(v) : ABSENT_KEY;
}

function tokenBit(v: number | null | undefined, bit: number): number {
  return present(v) ? 1 << bit : 0;
}

/** The tag posting-list key of one [key, value] pair (length-prefixed: no two pairs share one). */
export function tagKey(key: string, value: string): string {
  return `${key.length}:${key}${value}`;
}

export class Columns {
  size = 0;
  private capacity = INITIAL_CAPACITY;

  startTime = new Float64Array(INITIAL_CAPACITY);
  duration = new Float64Array(INITIAL_CAPACITY);
  ttft = new Float64Array(INITIAL_CAPACITY);
  ttlt = new Float64Array(INITIAL_CAPACITY);
  tps = new Float64Array(INITIAL_CAPACITY);
  cost = new Float64Array(INITIAL_CAPACITY);

  inputTokens = new Int32Array(INITIAL_CAPACITY);
  outputTokens = new Int32Array(INITIAL_CAPACITY);
  totalTokens = new Int32Array(INITIAL_CAPACITY);
  cachedTokens = new Int32Array(INITIAL_CAPACITY);
  reasoningTokens = new Int32Array(INITIAL_CAPACITY);

  flags = new Uint16Array(INITIAL_CAPACITY);

  /** Bucket keys (value-keys.ts) of duration, TTFT and tokens/s; ABSENT_KEY for null. */
  durationKey = new Uint16Array(INITIAL_CAPACITY);
  ttftKey = new Uint16Array(INITIAL_CAPACITY);
  tpsKey = new Uint16Array(INITIAL_CAPACITY);

  model = new Int32Array(INITIAL_CAPACITY);
  endpoint = new Int32Array(INITIAL_CAPACITY);
  apiKey = new Int32Array(INITIAL_CAPACITY);
  user = new Int32Array(INITIAL_CAPACITY);
  origin = new Int32Array(INITIAL_CAPACITY);
  errorType = new Int32Array(INITIAL_CAPACITY);
  /** 1 for streamed rows, else 0: the ids of `streamedKeys` (a group-by dimension like the dictionary columns). */
  streamed = new Int32Array(INITIAL_CAPACITY);

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

  /** Posting lists keyed by `tagKey(key, value)`. */
  readonly tags = new Map<string, PostingList>();

  /** The per-row columns, by field name (grown, shifted and shrunk together). */
  private static readonly ROW_COLUMNS = [
    'startTime', 'duration', 'ttft', 'ttlt', 'tps', 'cost',
    'inputTokens', 'outputTokens', 'totalTokens', 'cachedTokens', 'reasoningTokens',
    'flags', 'durationKey', 'ttftKey', 'tpsKey',
    'model', 'endpoint', 'apiKey', 'user', 'origin', 'errorType', 'streamed',
  ] as const;

  private rowColumns(): Record<string, RowArray> {
    return this as unknown as Record<string, RowArray>;
  }

  private ensure(extra: number): void {
    const needed = this.size + extra;
    if (needed <= this.capacity) return;
    let cap = this.capacity;
    while (cap < needed) cap *= 2;
    this.reallocate(cap);
  }

  /** Moves every column (and zone map) into arrays of `cap` rows (cap ≥ size). */
  private reallocate(cap: number): void {
    const columns = this.rowColumns();
    for (const name of Columns.ROW_COLUMNS) columns[name] = resized(columns[name]!, cap, this.size);
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
    const columns = this.rowColumns();
    for (const name of Columns.ROW_COLUMNS) columns[name]!.copyWithin(0, n, this.size);
    const nb = n >> BLOCK_BITS;
    const blocks = (this.size + (1 << BLOCK_BITS) - 1) >> BLOCK_BITS;
    this.blockMin.copyWithin(0, nb, blocks);
    this.blockMax.copyWithin(0, nb, blocks);
    this.size = kept;
    for (const [key, list] of this.tags) {
      list.dropBelow(n);
      if (list.length === 0) this.tags.delete(key);
    }
    const target = capacityFor(kept);
    if (target * 3 <= this.capacity * 2) this.reallocate(target); // shrinks by a third or more
  }

  add(records: readonly RequestRecord[]): void {
    this.ensure(records.length);
    for (const r of records) {
      const i = this.size++;
      const t = typeof r.start_time === 'number' ? r.start_time : NaN;
      this.startTime[i] = t;
      this.noteBlock(i, t);
      this.inputTokens[i] = token(r.input_tokens);
      this.outputTokens[i] = token(r.output_tokens);
      this.totalTokens[i] = token(r.total_tokens);
      this.cachedTokens[i] = token(r.cached_input_tokens);
      this.reasoningTokens[i] = token(r.reasoning_tokens);
      this.flags[i] =
        ((r.is_error ? 1 : 0) << BIT_ERROR) |
        ((r.was_streamed ? 1 : 0) << BIT_STREAMED) |
        ((r.usage_source !== 'none' ? 1 : 0) << BIT_USAGE) |
        tokenBit(r.input_tokens, BIT_INPUT) |
        tokenBit(r.output_tokens, BIT_OUTPUT) |
        tokenBit(r.total_tokens, BIT_TOTAL) |
        tokenBit(r.cached_input_tokens, BIT_CACHED) |
        tokenBit(r.reasoning_tokens, BIT_REASONING) |
        put(this.cost, i, r.cost_usd, BIT_COST) |
        put(this.duration, i, r.duration_ms, BIT_DURATION) |
        put(this.ttft, i, r.ttft_ms, BIT_TTFT) |
        put(this.ttlt, i, r.ttlt_ms, BIT_TTLT) |
        put(this.tps, i, r.tokens_per_second, BIT_TPS);
      this.flagsSeen |= this.flags[i]!;
      this.durationKey[i] = keyOf(r.duration_ms);
      this.ttftKey[i] = keyOf(r.ttft_ms);
      this.tpsKey[i] = keyOf(r.tokens_per_second);
      this.model[i] = this.models.intern(r.model);
      this.endpoint[i] = this.endpoints.intern(r.endpoint);
      this.apiKey[i] = this.apiKeys.intern(r.api_key_id);
      this.user[i] = this.users.intern(r.user);
      this.origin[i] = this.origins.intern(r.origin);
      this.errorType[i] = this.errorTypes.intern(r.error_type);
      this.streamed[i] = r.was_streamed ? 1 : 0;
      const tags = r.tags;
      if (tags) {
        for (const key in tags) {
          if (!Object.hasOwn(tags, key)) continue;
          const value = tags[key];
          if (typeof value !== 'string') continue;
          const k = tagKey(key, value);
          let list = this.tags.get(k);
          if (list === undefined) {
            list = new PostingList();
            this.tags.set(k, list);
          }
          list.push(i);
        }
      }
    }
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
    let bytes = this.capacity * (6 * 8 + 5 * 4 + 4 * 2 + 7 * 4) + this.blockMin.byteLength * 2;
    for (const list of this.tags.values()) bytes += list.rows.byteLength;
    return bytes;
  }
}
