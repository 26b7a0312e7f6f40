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
}

function growF64(a: Float64Array, cap: number) {
  const b = new Float64Array(cap);
  b.set(a);
  return b;
}
export function growI32(a: Int32Array, cap: number) {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
function growU16(a: Uint16Array, cap: number) {
  const b = new Uint16Array(cap);
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

  private ensure(extra: number): void {
    const needed = this.size + extra;
    if (needed <= this.capacity) return;
    let cap = this.capacity;
    while (cap < needed) cap *= 2;
    this.capacity = cap;
    this.startTime = growF64(this.startTime, cap);
    this.duration = growF64(this.duration, cap);
    this.ttft = growF64(this.ttft, cap);
    this.ttlt = growF64(this.ttlt, cap);
    this.tps = growF64(this.tps, cap);
    this.cost = growF64(this.cost, cap);
    this.inputTokens = growI32(this.inputTokens, cap);
    this.outputTokens = growI32(this.outputTokens, cap);
    this.totalTokens = growI32(this.totalTokens, cap);
    this.cachedTokens = growI32(this.cachedTokens, cap);
    this.reasoningTokens = growI32(this.reasoningTokens, cap);
    this.flags = growU16(this.flags, cap);
    this.durationKey = growU16(this.durationKey, cap);
    this.ttftKey = growU16(this.ttftKey, cap);
    this.tpsKey = growU16(this.tpsKey, cap);
    this.model = growI32(this.model, cap);
    this.endpoint = growI32(this.endpoint, cap);
    this.apiKey = growI32(this.apiKey, cap);
    this.user = growI32(this.user, cap);
    this.origin = growI32(this.origin, cap);
    this.errorType = growI32(this.errorType, cap);
    this.streamed = growI32(this.streamed, cap);
    this.blockMin = growF64(this.blockMin, cap >> BLOCK_BITS);
    this.blockMax = growF64(this.blockMax, cap >> BLOCK_BITS);
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
