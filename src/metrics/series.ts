import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the per-request metrics, registered into the prom-client registry
 * (which renders them with everything else, default metrics included). prom-client's own classes
 * validate and hash the label object on every call and keep series in dictionary-mode objects,
 * ~2.5 µs per observation and a dozen observations per request; these look a series up by one
 * precomputed key and add to numbers: together well under a microsecond.
 */

type Labels = Readonly<Record<string, string>>;

interface Sample {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

abstract class SeriesMetric<S extends { readonly labels: Labels }> {
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    registry: Registry,
  ) {
    // The registry takes any object with prom-client's metric shape (`name`, `get()`).
    registry.registerMetric(this as unknown as Metric);
  }

  /** Shows the series at zero before its first observation (for series without labels). */
  ensure(key: string, labels: () => Labels): void {
    this.at(key, labels);
  }

  /** The series for `key`; `labels()` builds its label set the first time only. */
  protected at(key: string, labels: () => Labels): S {
    let s = this.series.get(key);
    if (s === undefined) {
      s = this.create(labels());
      this.series.set(key, s);
    }
    return s;
  }

  protected abstract create(labels: Labels): S;
  protected abstract samples(s: S): Sample[];

  /** prom-client's metric interface, read by the registry for each scrape. */
  async get(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: string }> {
    return { name: this.name, help: this.help, type: this.type, values: [...this.series.values()].flatMap((s) => this.samples(s)), aggregator: 'sum' };
  }
}

interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

export class SeriesCounter extends SeriesMetric<CounterSeries> {
  constructor(name: string, help: string, registry: Registry) {
    super(name, help, 'counter', registry);
  }

  /** Adds `amount` to the series named by `key` (any string unique to its label values). */
  add(key: string, labels: () => Labels, amount = 1): void {
    this.at(key, labels).value += amount;
  }

  protected create(labels: Labels): CounterSeries {
    return { labels, value: 0 };
  }

  protected samples(s: CounterSeries): Sample[] {
    return [{ value: s.value, labels: { ...s.labels } }];
  }
}

interface HistogramSeries {
  readonly labels: Labels;
  /** Observations per bucket (not cumulative); the last is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, 'histogram', registry);
  }

  observe(key: string, labels: () => Labels, value: number): void {
    const s = this.at(key, labels);
    let i = 0;
    while (i < this.buckets.length && value > (this.buckets[i] as number)) i++;
    s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  }

  protected create(labels: Labels): HistogramSeries {
    return { labels, counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  protected samples(s: HistogramSeries): Sample[] {
    const out: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i <= this.buckets.length; i++) {
      cumulative += s.counts[i] as number;
      out.push({ metricName: `${this.name}_bucket`, value: cumulative, labels: { ...s.labels, le: i < this.buckets.length ? (this.buckets[i] as number) : '+Inf' } });
    }
    out.push({ metricName: `${this.name}_sum`, value: s.sum, labels: { ...s.labels } }, { metricName: `${this.name}_count`, value: s.count, labels: { ...s.labels } });
    return out;
  }
}
