/**
 * The Usage view's stacked bars, drawn by uPlot (`uPlot.paths.bars`) from columns stacked in the
 * browser (lib/usage.ts). Its legend is HTML below the canvas: each group's colour and figure,
 * for the whole range or, while the pointer is over a bar, for that period.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { CHART_COLORS, type Theme } from '../lib/theme.js';
import {
  describeUsageChart, formatMetric, formatMetricAxis, periodAxisLabel, periodLabel, stackColumns,
  type Granularity, type StackSeries, type UsageMetric, type UsageStack,
} from '../lib/usage.js';

const HEIGHT = 260;
/** Room each axis label needs, in CSS pixels. */
const LABEL_WIDTH = 64;

interface UsageChartProps {
  readonly stack: UsageStack;
  readonly granularity: Granularity;
  readonly metric: UsageMetric;
  readonly theme: Theme;
}

export function UsageChart({ stack, granularity, metric, theme }: UsageChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(stack);
  latest.current = stack;
  const [hover, setHover] = useState<number | null>(null);
  const colors = CHART_COLORS[theme];
  const colorOf = (s: StackSeries): string => (s.color === 'other' ? colors.other : colors.stack[s.color % colors.stack.length]!);
  // The chart is rebuilt when its series change; new figures for the same series only reach setData.
  const shape = JSON.stringify([stack.series.map((s) => [s.label, s.color]), granularity, metric, theme]);

  useEffect(() => {
    const el = container.current;
    if (el === null) return;
    const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
    const drawn = [...stack.series].reverse(); // the tallest running sum first (see stackColumns)
    const options: uPlot.Options = {
      width: el.clientWidth,
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false }, y: false },
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(latest.current.periods.length, 1) - 0.5] },
        y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] },
      },
      axes: [
        {
          ...axis,
          grid: { show: false },
          splits: (u) => {
            const n = latest.current.periods.length;
            const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(u.bbox.width / devicePixelRatio / LABEL_WIDTH))));
            return latest.current.periods.map((_, i) => i).filter((i) => (n - 1 - i) % every === 0);
          },
          values: (_u, splits) => splits.map((i) => {
            const t = latest.current.periods[i];
            return t === undefined ? '' : periodAxisLabel(t, granularity);
          }),
        },
        { ...axis, size: 64, values: (_u, splits) => splits.map((v) => formatMetricAxis(v, metric)) },
      ],
      series: [
        {},
        ...drawn.map((s): uPlot.Series => ({
          label: s.label,
          fill: colorOf(s),
          stroke: colorOf(s),
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars!({ size: [0.7, 72], align: 0 }),
        })),
      ],
      hooks: {
        setCursor: [(u) => setHover(u.cursor.idx ?? null)],
      },
    };
    const instance = new uPlot(options, stackColumns(latest.current) as uPlot.AlignedData, el);
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.destroy();
      chart.current = null;
    };
  }, [shape]);

  useEffect(() => {
    chart.current?.setData(stackColumns(stack) as uPlot.AlignedData);
  }, [stack]);

  const at = hover !== null && hover < stack.periods.length ? hover : null;
  const total = at === null ? stack.totals.reduce((a, b) => a + b, 0) : stack.totals[at]!;
  return (
    <figure className="chart usage-chart" data-chart="usage">
      <div ref={container} className="chart-canvas" role="img" aria-label={describeUsageChart(stack, granularity, metric)} />
      <figcaption className="usage-legend" data-hover={at === null ? '' : String(at)}>
        <div className="usage-legend-title">
          <strong>{at === null ? 'Whole range' : periodLabel(stack.periods[at]!, granularity)}</strong>
          <span className="muted"> · {formatMetric(total, metric)}</span>
        </div>
        <ul>
          {stack.series.map((s) => (
            <li key={`${s.color}-${s.label}`} data-series={s.label}>
              <span className="swatch" aria-hidden="true" style={{ background: colorOf(s) }} />
              <span className="usage-legend-label">{s.label}</span>
              <span className="usage-legend-value">{formatMetric(at === null ? s.total : s.values[at]!, metric)}</span>
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
