/**
 * Filtering: a StatsFilter is resolved once per query into integer conditions (dictionary ids,
 * flag mask, time range, tag posting lists), then rows are scanned into a selection vector of
 * ascending row indexes.
 */
import type { StatsFilter } from '../domain/stats-filter.js';
import { BIT_ERROR, BIT_STREAMED, BLOCK_BITS, type Columns } from './columns.js';

/** A filter in column terms; `empty` means no row can match (an unknown value was asked for). */
export interface ResolvedFilter {
  readonly empty: boolean;
  readonly start: number;
  readonly end: number;
  /** -1: any. */
  readonly model: number;
  readonly endpoint: number;
  readonly apiKey: number;
  readonly user: number;
  /** Allowed endpoint ids (1 = allowed), or null for any endpoint. */
  readonly endpointTable: Uint8Array | null;
  readonly flagMask: number;
  readonly flagWant: number;
  /** Candidate rows (ascending) from the tag filter, or null for all rows. */
  readonly candidates: Int32Array | null;
  readonly candidateCount: number;
}

const EMPTY: ResolvedFilter = {
  empty: true, start: 0, end: 0, model: -1, endpoint: -1, apiKey: -1, user: -1, endpointTable: null,
  flagMask: 0, flagWant: 0, candidates: null, candidateCount: 0,
};

/** The id of a filter value: -1 when not filtered on, undefined when the value is unknown. */
function idOf(dict: { lookup(v: string): number | undefined }, value: string | undefined): number | undefined {
  return value === undefined ? -1 : dict.lookup(value);
}

export function resolveFilter(cols: Columns, filter: StatsFilter, endpointTable: Uint8Array | null = null): ResolvedFilter {
  const model = idOf(cols.models, filter.model);
  const endpoint = idOf(cols.endpoints, filter.endpoint);
  const apiKey = idOf(cols.apiKeys, filter.apiKeyId);
  const user = idOf(cols.users, filter.user);
  if (model === undefined || endpoint === undefined || apiKey === undefined || user === undefined) return EMPTY;
  if (endpoint >= 0 && endpointTable !== null && endpointTable[endpoint] !== 1) return EMPTY;
  const start = filter.start ?? -Infinity;
  const end = filter.end ?? Infinity;
  if (!(start < end)) return EMPTY;
  let flagMask = 0;
  let flagWant = 0;
  if (filter.streamed !== undefined) {
    flagMask |= 1 << BIT_STREAMED;
    if (filter.streamed) flagWant |= 1 << BIT_STREAMED;
  }
  if (filter.status !== undefined) {
    flagMask |= 1 << BIT_ERROR;
    if (filter.status === 'error') flagWant |= 1 << BIT_ERROR;
  }
  let candidates: Int32Array | null = null;
  let candidateCount = 0;
  if (filter.tags !== undefined && filter.tags.length > 0) {
    const lists: { rows: Int32Array; length: number }[] = [];
    for (const [key, value] of filter.tags) {
      const list = cols.tagList(key, value);
      if (list === undefined || list.length === 0) return EMPTY;
      lists.push({ rows: list.rows, length: list.length });
    }
    lists.sort((a, b) => a.length - b.length);
    const first = lists[0]!;
    candidates = first.rows.slice(0, first.length);
    candidateCount = first.length;
    for (let l = 1; l < lists.length && candidateCount > 0; l++) {
      const other = lists[l]!;
      candidateCount = intersectInPlace(candidates, candidateCount, other.rows, other.length);
    }
    if (candidateCount === 0) return EMPTY;
  }
  return {
    empty: false, start, end, model, endpoint, apiKey, user,
    endpointTable: endpoint >= 0 ? null : endpointTable,
    flagMask, flagWant, candidates, candidateCount,
  };
}

/** Keeps in a[0..aLen) the values also in b[0..bLen) (both ascending); returns the new length. */
export function intersectInPlace(a: Int32Array, aLen: number, b: Int32Array, bLen: number): number {
  let out = 0;
  let j = 0;
  for (let i = 0; i < aLen && j < bLen; i++) {
    const v = a[i]!;
    if (b[j]! < v) {
      // Gallop: b may be much longer than a.
      let step = 1;
      let hi = j + 1;
      while (hi < bLen && b[hi]! < v) {
        j = hi;
        step *= 2;
        hi = j + step;
      }
      if (hi > bLen) hi = bLen;
      let lo = j + 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid]! < v) lo = mid + 1;
        else hi = mid;
      }
      j = lo;
      if (j >= bLen) break;
    }
    if (b[j] === v) {
      a[out++] = v;
      j++;
    }
  }
  return out;
}

/** Whether the filter matches every row (no condition at all). */
export function selectsAll(f: ResolvedFilter): boolean {
  return timeOnly(f) && f.endpointTable === null && f.start === -Infinity && f.end === Infinity;
}

/**
 * Whether the filter's only condition is a time range (or nothing): it selects every row in it
 * (every row of the endpoints in `endpointTable`, when the caller gave one).
 */
export function timeOnly(f: ResolvedFilter): boolean {
  return (
    !f.empty && f.candidates === null && f.flagMask === 0 &&
    f.model < 0 && f.endpoint < 0 && f.apiKey < 0 && f.user < 0
  );
}

/**
 * The first and last start time in [lo, hi), from the zone maps: a block wholly inside gives its
 * own span, a block across an edge (or holding a NaN time) is read row by row.
 */
export function zoneSpan(cols: Columns, lo: number, hi: number): { first: number; last: number } | null {
  const { startTime, blockMin, blockMax, size } = cols;
  let first = Infinity;
  let last = -Infinity;
  const blocks = (size + (1 << BLOCK_BITS) - 1) >> BLOCK_BITS;
  for (let b = 0; b < blocks; b++) {
    const min = blockMin[b]!;
    const max = blockMax[b]!;
    if (max < lo || min >= hi) continue;
    if (min >= lo && max < hi) {
      if (min < first) first = min;
      if (max > last) last = max;
      continue;
    }
    const to = Math.min(size, (b + 1) << BLOCK_BITS);
    for (let i = b << BLOCK_BITS; i < to; i++) {
      const t = startTime[i]!;
      if (!(t >= lo && t < hi)) continue;
      if (t < first) first = t;
      if (t > last) last = t;
    }
  }
  return first <= last ? { first, last } : null;
}

/**
 * Writes the indexes of the matching rows (ascending) into `out`, which must hold `cols.size`
 * entries; returns how many matched. Without tag candidates, the zone maps skip blocks wholly
 * outside the time range and spare the time test in blocks wholly inside it.
 */
export function selectRows(cols: Columns, f: ResolvedFilter, out: Int32Array): number {
  if (f.empty) return 0;
  if (f.candidates !== null) return scan(cols, f, f.candidates, 0, f.candidateCount, true, out, 0);
  const size = cols.size;
  const hasTime = f.start !== -Infinity || f.end !== Infinity;
  if (!hasTime) return scan(cols, f, null, 0, size, false, out, 0);
  const { start, end } = f;
  const { blockMin, blockMax } = cols;
  const blockBits = BLOCK_BITS;
  const blocks = (size + (1 << blockBits) - 1) >> blockBits;
  let count = 0;
  for (let b = 0; b < blocks; b++) {
    const lo = blockMin[b]!;
    const hi = blockMax[b]!;
    if (hi < start || lo >= end) continue;
    const from = b << blockBits;
    const to = Math.min(size, from + (1 << blockBits));
    count = scan(cols, f, null, from, to, !(lo >= start && hi < end), out, count);
  }
  return count;
}

/**
 * Appends to out[count..] the matching rows among k in [from, to) (row k, or candidates[k]);
 * the time range is tested only when `checkTime`. Returns the new count.
 */
function scan(
  cols: Columns, f: ResolvedFilter, candidates: Int32Array | null, from: number, to: number, checkTime: boolean,
  out: Int32Array, count: number,
): number {
  const { start, end, flagMask, flagWant, endpointTable } = f;
  const mId = f.model;
  const eId = f.endpoint;
  const kId = f.apiKey;
  const uId = f.user;
  const hasDict = mId >= 0 || eId >= 0 || kId >= 0 || uId >= 0 || endpointTable !== null;
  if (candidates === null && !checkTime && flagMask === 0 && !hasDict) {
    for (let k = from; k < to; k++) out[count++] = k;
    return count;
  }
  const st = cols.startTime;
  const flags = cols.flags;
  const model = cols.model;
  const endpoint = cols.endpoint;
  const apiKey = cols.apiKey;
  const user = cols.user;
  for (let k = from; k < to; k++) {
    const i = candidates === null ? k : candidates[k]!;
    if (checkTime) {
      const t = st[i]!;
      if (!(t >= start && t < end)) continue;
    }
    if ((flags[i]! & flagMask) !== flagWant) continue;
    if (hasDict) {
      if (mId >= 0 && model[i] !== mId) continue;
      if (eId >= 0 && endpoint[i] !== eId) continue;
      if (kId >= 0 && apiKey[i] !== kId) continue;
      if (uId >= 0 && user[i] !== uId) continue;
      if (endpointTable !== null && endpointTable[endpoint[i]!] !== 1) continue;
    }
    out[count++] = i;
  }
  return count;
}
