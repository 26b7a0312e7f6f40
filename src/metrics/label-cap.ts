/** What every value past the cap (or too long to be a sensible label) is reported as. */
export const OVERFLOW_LABEL = 'other';
/** Longer values are client-controlled noise (or abuse); they would bloat every scrape. */
const MAX_LABEL_LENGTH = 200;

/**
 * Bounds the distinct values one label can take: the first `limit` values seen keep their name,
 * every later one is reported as `other`. Model names, endpoints and attribution values come from
 * clients, and each distinct value is a new time series in Prometheus, kept for the whole process.
 */
export class LabelCap {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  /** The label value to report for `value`; '' (no value) is passed through and never counted. */
  label(value: string | null): string {
    if (value === null || value === '') return '';
    if (this.seen.has(value)) return value;
    if (value.length > MAX_LABEL_LENGTH || this.seen.size >= this.limit) return OVERFLOW_LABEL;
    this.seen.add(value);
    return value;
  }
}
