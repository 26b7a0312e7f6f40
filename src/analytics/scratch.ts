import { COUNTED_BITS } from './columns.js';
import { DistributionBuilder, wordsOf } from './percentile.js';

/** Reusable buffers; queries are synchronous, so one set per index suffices. */
export class Scratch {
  /** Selected row indexes, ascending: `buffer` or `identity` (read only). */
  sel = new Int32Array(0);
  /** Where selections are written. */
  private buffer = new Int32Array(0);
  /** identity[k] === k. */
  private identity = new Int32Array(0);
  /** Group id of each selected entry (grouped queries). */
  gid = new Int32Array(0);
  /** The selection reordered by group (time buckets). */
  perm = new Int32Array(0);
  /** Metric values gathered for percentiles, and a view of their 32-bit words. */
  values = new Float64Array(0);
  words: Uint32Array = new Uint32Array(0);
  readonly distributions = new DistributionBuilder();
  /** Histogram of the counted flag bits of one group; all zero between calls. */
  readonly codeHist = new Int32Array(1 << COUNTED_BITS);

  /** Makes the row buffers hold at least `n` entries. */
  ensure(n: number): void {
    if (this.buffer.length >= n) return;
    const cap = Math.max(n, 1024);
    this.buffer = new Int32Array(cap);
    this.gid = new Int32Array(cap);
    this.perm = new Int32Array(cap);
    this.sel = this.buffer;
  }

  /** Points `sel` at the buffer selections are written into (see useAllRows). */
  useBuffer(): Int32Array {
    this.sel = this.buffer;
    return this.buffer;
  }

  /** Points `sel` at 0..n-1 (every row selected) without a copy; never written to. */
  useAllRows(n: number): void {
    if (this.identity.length < n) {
      const old = this.identity.length;
      const next = new Int32Array(Math.max(n, 1024, Math.ceil(old * 1.5)));
      next.set(this.identity);
      for (let k = old; k < next.length; k++) next[k] = k;
      this.identity = next;
    }
    this.sel = this.identity;
  }

  /** Makes the values buffer hold at least `n` entries. */
  ensureValues(n: number): void {
    if (this.values.length >= n) return;
    this.values = new Float64Array(Math.max(n, 1024, Math.ceil(this.values.length * 1.5)));
    this.words = wordsOf(this.values);
  }

  get byteLength(): number {
    return this.buffer.byteLength + this.identity.byteLength + this.gid.byteLength + this.perm.byteLength + this.values.byteLength;
  }
}
