/**
 * Order-preserving bucket keys of metric values (duration, TTFT, tokens/s), stored beside each
 * value at insert time so that percentile queries can histogram a narrow Uint16 column.
 *
 * Buckets are 1/16 octave wide (the top 4 mantissa bits) between 2^-10 and 2^54; everything
 * below (0, negatives, tiny values) shares key 0 and everything above key 1025. Percentiles stay
 * exact: a histogram only says which bucket holds a rank, selection inside it finds the value.
 */

/** Keys 0..1025 are values; ABSENT_KEY marks a null value. */
export const ABSENT_KEY = 1026;
/** Histogram slots per metric: every value key plus ABSENT_KEY. */
export const KEY_SLOTS = ABSENT_KEY + 1;

const MIN_EXPONENT = -10;
const MIN_VALUE = 2 ** MIN_EXPONENT;
const MAX_VALUE = 2 ** 54;
/** Biased float64 exponent of MIN_VALUE. */
const BIASED_MIN = 1023 + MIN_EXPONENT;

/** Index of the 32-bit word holding a float64's sign, exponent and top mantissa bits. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The bucket key of a present (non-NaN) value; a larger value never gets a smaller key. */
export function valueKey(v: number): number {
  if (!(v >= MIN_VALUE)) return 0;
  if (v >= MAX_VALUE) return ABSENT_KEY - 1;
  f64[0] = v;
  const w = u32[HI]!;
  return ((((w >>> 20) & 0x7ff) - BIASED_MIN) << 4) + ((w >>> 16) & 0xf) + 1;
}
