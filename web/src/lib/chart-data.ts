/**
 * The overview's charts over time, all drawn from one `/stats/timeseries` answer: what each one
 * plots and the columns uPlot takes (x in Unix seconds, one array per series, null = no value).
 */
import type { Timeseries, TimeseriesBucket } from './api-types.js';
import { formatCompact, formatCount, formatDuration, formatTokensPerSecond } from './format.js';

export type SeriesColor = 'success' | 'error' | 0 | 1 | 2 | 3;

export interface SeriesSpec {
  readonly label: string;
  readonly color: SeriesColor;
  readonly value: (bucket: TimeseriesBucket) => number | null;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly series: readonly SeriesSpec[];
  /** Legend and tooltip values. */
  readonly format: (value: number | null) => string;
  /** Axis ticks. */
  readonly axis: (value: number) => string;
  /** Series drawn on top of each other (each line is the running sum), e.g. successes + errors. */
  readonly stacked?: boolean;
}

const ms = (value: number): string => formatDuration(value);

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'requests', title: 'Requests', format: formatCount, axis: formatCompact, stacked: true,
    series: [
      { label: 'Success', color: 'success', value: (b) => b.requests - b.errors },
      { label: 'Error', color: 'error', value: (b) => b.errors },
    ],
  },
  {
    id: 'tokens', title: 'Tokens', format: formatCount, axis: formatCompact,
    series: [
      { label: 'Input', color: 0, value: (b) => b.input_tokens },
      { label: 'Output', color: 1, value: (b) => b.output_tokens },
    ],
  },
  {
    id: 'duration', title: 'Duration', format: formatDuration, axis: ms,
    series: [
      { label: 'p50', color: 0, value: (b) => b.duration_ms.p50 },
      { label: 'p95', color: 1, value: (b) => b.duration_ms.p95 },
      { label: 'p99', color: 2, value: (b) => b.duration_ms.p99 },
    ],
  },
  {
    id: 'ttft', title: 'Time to first token', format: formatDuration, axis: ms,
    series: [
      { label: 'p50', color: 0, value: (b) => b.ttft_ms.p50 },
      { label: 'p95', color: 1, value: (b) => b.ttft_ms.p95 },
      { label: 'p99', color: 2, value: (b) => b.ttft_ms.p99 },
    ],
  },
  {
    id: 'tokens-per-second', title: 'Generation speed', format: formatTokensPerSecond, axis: formatCompact,
    series: [
      { label: 'p50', color: 0, value: (b) => b.tokens_per_second.p50 },
      { label: 'p95', color: 1, value: (b) => b.tokens_per_second.p95 },
    ],
  },
];

/** Columns for uPlot: [x seconds, series…]; stacked charts hold running sums. */
export function chartColumns(ts: Timeseries, spec: ChartSpec): Array<Array<number | null>> {
  const xs = ts.buckets.map((b) => Date.parse(b.start) / 1000);
  const raw = spec.series.map((s) => ts.buckets.map(s.value));
  if (!spec.stacked) return [xs, ...raw];
  const sums = ts.buckets.map(() => 0);
  return [xs, ...raw.map((values) => values.map((v, i) => (sums[i]! += v ?? 0)))];
}

/**
 * Indices of values with no neighbour (null on both sides). A line needs two points, so these
 * are drawn as dots: a percentile seen in one bucket only would otherwise not show at all.
 */
export function isolatedIndices(values: ArrayLike<number | null | undefined>): number[] {
  const isolated: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if ((values[i] ?? null) !== null && (values[i - 1] ?? null) === null && (values[i + 1] ?? null) === null) isolated.push(i);
  }
  return isolated;
}

/** A one-line description for screen readers: the chart's largest value per series. */
export function describeChart(ts: Timeseries, spec: ChartSpec): string {
  const peaks = spec.series.map((s) => {
    const values = ts.buckets.map(s.value).filter((v): v is number => v !== null);
    return `${s.label} peak ${values.length === 0 ? 'none' : spec.format(Math.max(...values))}`;
  });
  return `${spec.title} per ${ts.bucket} over ${ts.buckets.length} intervals: ${peaks.join(', ')}`;
}
