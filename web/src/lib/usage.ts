/**
 * The Usage view's logic: the `/stats/usage` query (and its CSV twin), UTC periods, their labels,
 * the stacked bar chart's columns (top groups plus "other", stacked here in the browser) and the
 * table's rows. Everything comes from one answer, which the server sums exactly from its daily
 * rollups.
 */
import type { UsageAnswer, UsageEntry, UsageSums } from './api-types.js';
import { formatCompact, formatCount, formatUsd } from './format.js';
import { METRIC_LABELS, type Granularity, type UsageGroupBy, type UsageMetric } from './usage-settings.js';
import { nextPeriod, periodStart } from './usage-query.js';

export * from './usage-settings.js';
export * from './usage-query.js';

/** Series drawn before the rest is summed as "other". */
export const MAX_STACKED_GROUPS = 8;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `4 Nov 2026` (UTC). */
export function formatUtcDate(t: number): string {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** A period as the table and the hover legend name it: `4 Nov 2026`, `Week of 3 Nov 2026`, `Nov 2026`. */
export function periodLabel(t: number, granularity: Granularity): string {
  if (granularity === 'day') return formatUtcDate(t);
  if (granularity === 'week') return `Week of ${formatUtcDate(t)}`;
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** Short axis labels: `4 Nov`, `3 Nov` (a week's Monday), `Nov 2026`. */
export function periodAxisLabel(t: number, granularity: Granularity): string {
  if (granularity === 'month') return periodLabel(t, 'month');
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** Every period from the one holding `start` to the one holding the last moment before `end`. */
export function periodsBetween(start: number, end: number, granularity: Granularity, max = 5000): number[] {
  const periods: number[] = [];
  if (!(start < end)) return periods;
  for (let t = periodStart(start, granularity); t < end && periods.length < max; t = nextPeriod(t, granularity)) periods.push(t);
  return periods;
}

export function metricValue(sums: UsageSums, metric: UsageMetric): number {
  return metric === 'tokens' ? sums.total_tokens : metric === 'requests' ? sums.requests : sums.cost_usd;
}

/** Legend, tooltip and table format of a metric. */
export function formatMetric(value: number, metric: UsageMetric): string {
  return metric === 'cost' ? formatUsd(value) : formatCount(value);
}

/** Axis ticks. */
export function formatMetricAxis(value: number, metric: UsageMetric): string {
  return metric === 'cost' ? `$${formatCompact(value)}` : formatCompact(value);
}

/** A row's group value: undefined when not grouped, null for requests without one. */
export function groupOf(entry: UsageEntry, groupBy: UsageGroupBy): string | null | undefined {
  return groupBy === 'none' ? undefined : (entry[groupBy] ?? null);
}

/** What a missing group is called. */
export const NO_GROUP_LABEL = '(none)';
export const OTHER_LABEL = 'other';

export interface StackSeries {
  /** The group's value; null: requests without one. */
  readonly key: string | null;
  readonly label: string;
  /** Index in the palette, or `other`. */
  readonly color: number | 'other';
  /** For "other": how many groups it sums. */
  readonly groups: number;
  /** The metric per period (not summed with the series below). */
  readonly values: readonly number[];
  readonly total: number;
}

export interface UsageStack {
  /** Period starts (epoch ms), every one in the answer's range, empty ones included. */
  readonly periods: readonly number[];
  /** Bottom first: the largest group, then smaller ones, "other" on top. */
  readonly series: readonly StackSeries[];
  /** Per period: the sum of every series. */
  readonly totals: readonly number[];
}

/**
 * The chart's stack: one series per group (the `max` largest by the metric over the whole range,
 * ties by requests then name, requests without a group last), the rest summed as "other".
 * Not grouped: one series named after the metric.
 */
export function stackUsage(answer: UsageAnswer, groupBy: UsageGroupBy, metric: UsageMetric, max = MAX_STACKED_GROUPS): UsageStack {
  const granularity = answer.granularity;
  const periods = periodsBetween(Date.parse(answer.start), Date.parse(answer.end), granularity);
  // A row whose period the range does not list (it should not happen) still gets a place.
  for (const entry of answer.usage) {
    const t = Date.parse(entry.period);
    if (!periods.includes(t)) periods.push(t);
  }
  periods.sort((a, b) => a - b);
  const index = new Map(periods.map((t, i) => [t, i]));

  interface Group { key: string | null; values: number[]; total: number; requests: number }
  const groups = new Map<string, Group>();
  for (const entry of answer.usage) {
    const key = groupOf(entry, groupBy) ?? null;
    const id = key === null ? '\u0000' : `\u0001${key}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { key, values: periods.map(() => 0), total: 0, requests: 0 };
      groups.set(id, group);
    }
    const value = metricValue(entry, metric);
    group.values[index.get(Date.parse(entry.period))!]! += value;
    group.total += value;
    group.requests += entry.requests;
  }
  const ranked = [...groups.values()].sort((a, b) => {
    if (a.total !== b.total) return b.total - a.total;
    if (a.requests !== b.requests) return b.requests - a.requests;
    if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? 1 : -1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  const shown = ranked.length > max ? ranked.slice(0, max) : ranked;
  const rest = ranked.slice(shown.length);
  const series: StackSeries[] = shown.map((g, i) => ({
    key: g.key,
    label: groupBy === 'none' ? METRIC_LABELS[metric] : g.key ?? NO_GROUP_LABEL,
    color: i,
    groups: 1,
    values: g.values,
    total: g.total,
  }));
  if (rest.length > 0) {
    const values = periods.map((_, i) => rest.reduce((sum, g) => sum + g.values[i]!, 0));
    series.push({
      key: null,
      label: `${OTHER_LABEL} (${rest.length} ${rest.length === 1 ? 'group' : 'groups'})`,
      color: 'other',
      groups: rest.length,
      values,
      total: rest.reduce((sum, g) => sum + g.total, 0),
    });
  }
  const totals = periods.map((_, i) => series.reduce((sum, s) => sum + s.values[i]!, 0));
  return { periods, series, totals };
}

/**
 * uPlot's columns for stacked bars: [x, then one running sum per series, the tallest first].
 * Each bar is drawn from zero in an opaque colour, so drawing the tallest first and each lower
 * sum over it leaves every series visible as its own segment. x is the period's index (an
 * ordinal axis: months are not all as wide as each other, and empty periods keep their place).
 */
export function stackColumns(stack: UsageStack): number[][] {
  const sums = stack.series.map(() => stack.periods.map(() => 0));
  stack.series.forEach((s, j) => {
    s.values.forEach((v, i) => {
      sums[j]![i] = (j === 0 ? 0 : sums[j - 1]![i]!) + v;
    });
  });
  return [stack.periods.map((_, i) => i), ...sums.reverse()];
}

/** A one-line description of the chart for screen readers. */
export function describeUsageChart(stack: UsageStack, granularity: Granularity, metric: UsageMetric): string {
  const total = stack.totals.reduce((a, b) => a + b, 0);
  const per = `${METRIC_LABELS[metric]} per ${granularity} over ${stack.periods.length} ${stack.periods.length === 1 ? granularity : `${granularity}s`}`;
  if (stack.series.length === 0) return `${per}: none`;
  const parts = stack.series.map((s) => `${s.label} ${formatMetric(s.total, metric)}`);
  return `${per}, ${formatMetric(total, metric)} in all: ${parts.join(', ')}`;
}

/** Table columns; cached and reasoning tokens only when some row has them. */
export interface UsageColumn {
  readonly id: string;
  readonly label: string;
  readonly value: (s: UsageSums) => number;
  readonly format: (value: number) => string;
}

const ALL_COLUMNS: readonly UsageColumn[] = [
  { id: 'requests', label: 'Requests', value: (s) => s.requests, format: formatCount },
  { id: 'errors', label: 'Errors', value: (s) => s.errors, format: formatCount },
  { id: 'input-tokens', label: 'Input tokens', value: (s) => s.input_tokens, format: formatCount },
  { id: 'output-tokens', label: 'Output tokens', value: (s) => s.output_tokens, format: formatCount },
  { id: 'cached-tokens', label: 'Cached input', value: (s) => s.cached_input_tokens, format: formatCount },
  { id: 'reasoning-tokens', label: 'Reasoning', value: (s) => s.reasoning_tokens, format: formatCount },
  { id: 'total-tokens', label: 'Total tokens', value: (s) => s.total_tokens, format: formatCount },
  { id: 'cost', label: 'Cost', value: (s) => s.cost_usd, format: formatUsd },
];

export function usageColumns(totals: UsageSums): UsageColumn[] {
  return ALL_COLUMNS.filter(
    (c) => (c.id !== 'cached-tokens' || totals.cached_input_tokens !== 0) && (c.id !== 'reasoning-tokens' || totals.reasoning_tokens !== 0),
  );
}

/** The totals above the chart: the same figures, the token kinds only where non-zero. */
export function usageTotals(totals: UsageSums): Array<{ id: string; label: string; value: string }> {
  return usageColumns(totals).map((c) => ({ id: c.id, label: c.label, value: c.format(c.value(totals)) }));
}

export interface UsageTableRow {
  readonly period: number;
  readonly periodLabel: string;
  /** Undefined when not grouped. */
  readonly group: string | null | undefined;
  readonly sums: UsageSums;
}

/** The answer's rows in its own order (by period, then most requests first), with labels. */
export function usageTableRows(answer: UsageAnswer, groupBy: UsageGroupBy): UsageTableRow[] {
  return answer.usage.map((entry) => {
    const period = Date.parse(entry.period);
    return { period, periodLabel: periodLabel(period, answer.granularity), group: groupOf(entry, groupBy), sums: entry };
  });
}

/** Does the period run past the answer's end (still in progress, or cut by a custom end)? */
export function isPeriodCut(period: number, answer: Pick<UsageAnswer, 'end' | 'granularity'>): boolean {
  return nextPeriod(period, answer.granularity) > Date.parse(answer.end);
}
