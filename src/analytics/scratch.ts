import { Accumulator, STRIDE } from './accumulator.js';

/** Candidate values kept between queries; a larger buffer is let go after the query that needed it. */
const VALUES_KEPT = 1 << 17;

/** Reusable buffers; queries are synchronous, so one set per index suffices. */
export class Scratch {
  /** Selected row indexes, ascending (the rows buffer). */
  sel: Int32Array = new Int32Array(0);
  /** Group id of each selected entry (grouped queries). */
  gid = new Int32Array(0);
  /** The selection reordered by group (allocated by the queries that need it). */
  private permBuffer = new Int32Array(0);
  /** Metric values gathered for percentiles. */
  values = new Float64Array(0);
  /** Totals of one group; all zero between calls. */
  readonly single = new Accumulator(1);
  /** planPercentiles' target table; all zero between calls. */
  private target = new Int32Array(STRIDE);
  /** sel[k] === k for every k below this (until a selection is written into sel). */
  private identityUpTo = 0;

  /** Makes the row buffers hold at least `n` entries (growing by a quarter at least). */
  ensure(n: number): void {
    if (this.sel.length >= n) return;
    const cap = Math.max(n, 1024, this.sel.length + (this.sel.length >> 2));
    this.sel = new Int32Array(cap);
    this.gid = new Int32Array(cap);
    this.identityUpTo = 0;
  }

  /** The buffer a selection is written into (sel). */
  useBuffer(): Int32Array {
    this.identityUpTo = 0;
    return this.sel;
  }

  /** Makes sel[k] === k for k < n (every row selected). */
  useAllRows(n: number): void {
    const sel = this.sel;
    for (let k = this.identityUpTo; k < n; k++) sel[k] = k;
    if (n > this.identityUpTo) this.identityUpTo = n;
  }

  /** A buffer for `n` reordered entries. */
  perm(n: number): Int32Array {
    if (this.permBuffer.length < n) this.permBuffer = new Int32Array(Math.max(n, 1024));
    return this.permBuffer;
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

  /** After a query: lets go of the buffers only a large query needed. */
  trim(): void {
    if (this.values.length > VALUES_KEPT) this.values = new Float64Array(0);
    if (this.target.length > 16 * STRIDE) this.target = new Int32Array(STRIDE);
    this.permBuffer = new Int32Array(0);
  }

  /** Lets go of row buffers much larger than `n` rows need (after rows were dropped). */
  shrink(n: number): void {
    const cap = Math.max(n, 1024);
    if (this.sel.length > 2 * cap) {
      this.sel = new Int32Array(0);
      this.gid = new Int32Array(0);
      this.identityUpTo = 0;
    }
    this.trim();
  }

  get byteLength(): number {
    return this.sel.byteLength + this.gid.byteLength + this.permBuffer.byteLength + this.values.byteLength + this.target.byteLength;
  }
}
