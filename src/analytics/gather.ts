/**
 * Pass 2 of an aggregation (accumulator.ts): copying the values of the buckets that hold the
 * percentile ranks out for selection. Scanned rows are checked one by one; a sealed block or
 * segment merged from its partial has its rows ordered by each metric's key (blockKeyOrder,
 * segmentKeyOrder), so its values in a bucket are found by binary search instead of a scan.
 */
import type { Columns } from './columns.js';
import { METRICS, type PercentilePlan } from './percentile-plan.js';
import { KEY_SLOTS } from './value-keys.js';

const STRIDE = METRICS * KEY_SLOTS;

/** Rows rows[from..to), entry k in group gid[k] (group 0 when gid is null). */
export function gatherRows(
  cols: Columns, rows: Int32Array, gid: Int32Array | null, from: number, to: number,
  plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  const { target } = plan;
  const { duration, ttft, tps, durationKey, ttftKey, tpsKey } = cols;
  const stride = STRIDE;
  const ks = KEY_SLOTS;
  const ks2 = 2 * KEY_SLOTS;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const base = gid === null ? 0 : gid[k]! * stride;
    let t = target[base + durationKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = duration[i]!;
    t = target[base + ks + ttftKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = ttft[i]!;
    t = target[base + ks2 + tpsKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = tps[i]!;
  }
}

/**
 * The block of `blockRows` rows from row `first`, all in group g, whose rows ordered by each
 * metric's key are `order` (blockKeyOrder). `present[g × METRICS + m]`: group g's value count.
 */
export function gatherBlock(
  cols: Columns, order: Uint8Array, first: number, blockRows: number, g: number, present: Float64Array,
  plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const valueColumns = [cols.duration, cols.ttft, cols.tps];
  for (let m = 0; m < METRICS; m++) {
    const set = g * METRICS + m;
    if (present[set] === 0) continue;
    const keys = keyColumns[m]!;
    const values = valueColumns[m]!;
    const o = m * blockRows;
    let lastRegion = -1;
    for (let p = 0; p < 3; p++) {
      const r = plan.region[set * 3 + p]!;
      if (r === lastRegion) continue;
      lastRegion = r;
      const key = plan.regionKey[r]!;
      // First position in the order with a key ≥ key.
      let lo = 0;
      let hi = blockRows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[first + order[o + mid]!]! < key) lo = mid + 1;
        else hi = mid;
      }
      let c = cursor[r]!;
      for (let j = lo; j < blockRows; j++) {
        const i = first + order[o + j]!;
        if (keys[i] !== key) break;
        cand[c++] = values[i]!;
      }
      cursor[r] = c;
    }
  }
}

/** Rows [first, first + blockRows) (at most 256) ordered by each metric's key: METRICS × blockRows local indexes. */
export function blockKeyOrder(cols: Columns, first: number, blockRows: number): Uint8Array {
  const order = new Uint8Array(METRICS * blockRows);
  const packed = new Uint32Array(blockRows);
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  for (let m = 0; m < METRICS; m++) {
    const keys = keyColumns[m]!;
    for (let j = 0; j < blockRows; j++) packed[j] = (keys[first + j]! << 8) | j;
    packed.sort();
    for (let j = 0; j < blockRows; j++) order[m * blockRows + j] = packed[j]! & 0xff;
  }
  return order;
}

/** Rows [first, first + rows) (at most 65,536) ordered by each metric's key: a counting sort, stable. */
export function segmentKeyOrder(cols: Columns, first: number, rows: number): Uint16Array {
  const order = new Uint16Array(METRICS * rows);
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const next = new Int32Array(KEY_SLOTS + 1);
  for (let m = 0; m < METRICS; m++) {
    const keys = keyColumns[m]!;
    next.fill(0);
    for (let j = 0; j < rows; j++) next[keys[first + j]! + 1]!++;
    for (let key = 0; key < KEY_SLOTS; key++) next[key + 1]! += next[key]!;
    for (let j = 0; j < rows; j++) order[m * rows + next[keys[first + j]!]!++] = j;
  }
  return order;
}

/**
 * The segment of `segmentRows` rows from row `first`, every row selected, ordered by `order`
 * (segmentKeyOrder). Row first + j is selection entry at + j, in group gid[at + j] (group 0 when
 * gid is null). Each targeted (metric, key) is looked up once; its rows go to their group's region.
 */
export function gatherSegment(
  cols: Columns, order: Uint16Array, first: number, segmentRows: number, gid: Int32Array | null, at: number,
  plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  const { target } = plan;
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const valueColumns = [cols.duration, cols.ttft, cols.tps];
  for (let m = 0; m < METRICS; m++) {
    const keys = keyColumns[m]!;
    const values = valueColumns[m]!;
    const o = m * segmentRows;
    for (const key of targetedKeys(plan, m)) {
      let lo = 0;
      let hi = segmentRows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[first + order[o + mid]!]! < key) lo = mid + 1;
        else hi = mid;
      }
      const slot = m * KEY_SLOTS + key;
      for (let j = lo; j < segmentRows; j++) {
        const local = order[o + j]!;
        const i = first + local;
        if (keys[i] !== key) break;
        const t = target[(gid === null ? 0 : gid[at + local]! * STRIDE) + slot]!;
        if (t !== 0) cand[cursor[t - 1]!++] = values[i]!;
      }
    }
  }
}

/** The distinct keys the plan targets for metric m, in any group. */
function targetedKeys(plan: PercentilePlan, m: number): number[] {
  const keys: number[] = [];
  for (let r = 0; r < plan.regionCount; r++) {
    if (Math.floor(plan.targetIndex[r]! / KEY_SLOTS) % METRICS !== m) continue;
    const key = plan.regionKey[r]!;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}
