import { Accumulator, STRIDE } from './accumulator.js';

/** Reusable buffers; queries are synchronous, so one set per index suffices. */
export class Scratch {
  /** Selected row indexes, ascending: `buffer` or `identity` (read only). */
  sel: Int32Array = new Int32Array(0);
  /** Where selections are written. */
  private buffer = new Int32Array(0);
  /** identityRows[k] === k. */
  private identityRows = new Int32Array(0);
  /** Group id of each selected entry (grouped queries). */
  gid = new Int32Array(0);
  /** The selection reordered by group (time buckets). */
  perm = new Int32Array(0);
  /** Metric values gathered for percentiles. */
  values = new Float64Array(0);
  /** Totals of one group; all zero between calls. */
  readonly single = new Accumulator(1);
  /** planPercentiles' target table; all zero between calls. */
  private target = new Int32Array(STRIDE);

  /** Makes the row buffers hold at least `n` entries. */
  ensure(n: number): void {
    if (this.buffer.length >= n) return;
    const cap = Math.max(n, 1024);
    this.buffer = new Int32Array(cap);
    this.gid = new Int32Array(cap);
    this.perm = new Int32Array(cap);
    this.sel = this.buffer;
  }

  /** Lets go of row buffers much larger than `n` rows need (after rows were dropped). */
  shrink(n: number): void {
    const cap = Math.max(n, 1024);
    if (this.buffer.length > 2 * cap) {
      this.buffer = new Int32Array(0);
      this.gid = new Int32Array(0);
      this.perm = new Int32Array(0);
      this.sel = this.buffer;
    }
    if (this.identityRows.length > 2 * cap) this.identityRows = new Int32Array(0);
    if (this.values.length > 2 * cap) this.values = new Float64Array(0);
  }

  /** Points `sel` at the buffer selections are written into (see useAllRows). */
  useBuffer(): Int32Array {
    this.sel = this.buffer;
    return this.buffer;
  }

  /** Points `sel` at 0..n-1 (every row selected) without a copy; never written to. */
  useAllRows(n: number): void {
    this.sel = this.identity(n);
  }

  /** An array with a[k] === k for k < n (read only). */
  identity(n: number): Int32Array {
    if (this.identityRows.length < n) {
      const old = this.identityRows.length;
      const next = new Int32Array(Math.max(n, 1024, Math.ceil(old * 1.5)));
      next.set(this.identityRows);
      for (let k = old; k < next.length; k++) next[k] = k;
      this.identityRows = next;
    }
    return this.identityRows;
  }

  /** Makes the values buffer hold at least `n` entries. */
  ensureValues(n: number): void {
    if (this.values.length >= n) return;
    this.values = new Float64Array(Math.max(n, 1024, Math.ceil(this.values.length * 1.5)));
  }

  /** The (all zero) target table, at least `n` entries long. */
  targetFor(n: number): Int32Array {
    if (this.target.length < n) this.target = new Int32Array(n);
    return this.target;
  }

  get byteLength(): number {
    return this.buffer.byteLength + this.identityRows.byteLength + this.gid.byteLength + this.perm.byteLength + this.values.byteLength + this.target.byteLength;
  }
}
