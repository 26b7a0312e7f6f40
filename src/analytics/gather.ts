/**
 * Pass 2 of an aggregation (accumulator.ts): copying the values of the buckets that hold the
 * percentile ranks out for selection. Scanned rows are checked one by one; a sealed block or
 * chunk merged from its partial has its rows ordered by each metric's key (blockKeyOrder,
 * chunkKeyOrder), so its values in a bucket are found by binary search instead of a scan.
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
  const dScale = cols.durationColumn.scale;
  const fScale = cols.ttftColumn.scale;
  const sScale = cols.tpsColumn.scale;
  const stride = STRIDE;
  const ks = KEY_SLOTS;
  const ks2 = 2 * KEY_SLOTS;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const base = gid === null ? 0 : gid[k]! * stride;
    let t = target[base + durationKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = duration[i]! / dScale;
    t = target[base + ks + ttftKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = ttft[i]! / fScale;
    t = target[base + ks2 + tpsKey[i]!]!;
    if (t !== 0) cand[cursor[t - 1]!++] = tps[i]! / sScale;
  }
}

/**
 * The block (or chunk) of `blockRows` rows from row `first`, all in group g, whose rows ordered
 * by each metric's key are `order` (blockKeyOrder, chunkKeyOrder). `present[g × METRICS + m]`:
 * group g's value count.
 */
export function gatherBlock(
  cols: Columns, order: Uint8Array | Uint16Array, first: number, blockRows: number, g: number, present: Float64Array,
  plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const valueColumns = [cols.durationColumn, cols.ttftColumn, cols.tpsColumn];
  for (let m = 0; m < METRICS; m++) {
    const set = g * METRICS + m;
    if (present[set] === 0) continue;
    const keys = keyColumns[m]!;
    const values = valueColumns[m]!.data;
    const scale = valueColumns[m]!.scale;
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
        cand[c++] = values[i]! / scale;
      }
      cursor[r] = c;
    }
  }
}

const nextSlot = new Int32Array(KEY_SLOTS);

/**
 * Rows [first, first + rows) ordered by each metric's key (stable: ascending rows within a key),
 * as METRICS × rows local indexes, by a counting sort over `hist`, the rows' key histograms
 * (KEY_SLOTS per metric, as an Accumulator's group 0 counts them). Up to 256 rows fit a
 * Uint8Array, up to 65,536 a Uint16Array.
 */
export function keyOrder<T extends Uint8Array | Uint16Array>(
  cols: Columns, first: number, rows: number, hist: Int32Array, Order: new (length: number) => T,
): T {
  const order = new Order(METRICS * rows);
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const next = nextSlot;
  for (let m = 0; m < METRICS; m++) {
    const keys = keyColumns[m]!;
    const base = m * KEY_SLOTS;
    let at = m * rows;
    for (let key = 0; key < KEY_SLOTS; key++) {
      next[key] = at;
      at += hist[base + key]!;
    }
    for (let j = 0; j < rows; j++) order[next[keys[first + j]!]!++] = j;
  }
  return order;
}

/**
 * The chunk of `chunkRows` rows from row `first`, every row selected, ordered by `order`
 * (chunkKeyOrder); row first + j is selection entry at + j, in group gid[at + j]. `targeted`:
 * the keys targeted per metric in any group (targetedKeys). Each is looked up once; its rows go to
 * their group's region, if targeted there.
 */
export function gatherChunkGroups(
  cols: Columns, order: Uint16Array, first: number, chunkRows: number, gid: Int32Array, at: number,
  targeted: readonly (readonly number[])[], plan: PercentilePlan, cand: Float64Array, cursor: Int32Array,
): void {
  const { target } = plan;
  const keyColumns = [cols.durationKey, cols.ttftKey, cols.tpsKey];
  const valueColumns = [cols.durationColumn, cols.ttftColumn, cols.tpsColumn];
  for (let m = 0; m < METRICS; m++) {
    const keys = keyColumns[m]!;
    const values = valueColumns[m]!.data;
    const scale = valueColumns[m]!.scale;
    const o = m * chunkRows;
    for (const key of targeted[m]!) {
      let lo = 0;
      let hi = chunkRows;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (keys[first + order[o + mid]!]! < key) lo = mid + 1;
        else hi = mid;
      }
      const slot = m * KEY_SLOTS + key;
      for (let j = lo; j < chunkRows; j++) {
        const local = order[o + j]!;
        const i = first + local;
        if (keys[i] !== key) break;
        const t = target[gid[at + local]! * STRIDE + slot]!;
        if (t !== 0) cand[cursor[t - 1]!++] = values[i]! / scale;
      }
    }
  }
}

/** Per metric, the distinct keys the plan targets in any group. */
export function targetedKeys(plan: PercentilePlan): number[][] {
  const seen = new Set<number>();
  const keys: number[][] = Array.from({ length: METRICS }, () => []);
  for (let r = 0; r < plan.regionCount; r++) {
    const slot = plan.targetIndex[r]! % STRIDE; // metric × KEY_SLOTS + key
    if (seen.has(slot)) continue;
    seen.add(slot);
    keys[Math.floor(slot / KEY_SLOTS)]!.push(plan.regionKey[r]!);
  }
  return keys;
}
