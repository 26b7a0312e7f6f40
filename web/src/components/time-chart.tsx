/**
 * One chart over time, drawn by uPlot on a canvas (no animation). Created once per chart and
 * theme; a refresh hands it new columns with setData, so live mode does not rebuild it.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import type { Timeseries } from '../lib/api-types.js';
import { chartColumns, describeChart, isolatedIndices, type ChartSpec, type SeriesColor } from '../lib/chart-data.js';
import { CHART_COLORS, type ChartColors, type Theme } from '../lib/theme.js';

const HEIGHT = 180;

interface TimeChartProps {
  readonly spec: ChartSpec;
  readonly data: Timeseries;
  readonly theme: Theme;
}

export function TimeChart({ spec, data, theme }: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // Legend values of stacked charts show each series' own value, not the running sum drawn.
  const raw = useRef<Array<Array<number | null>>>([]);

  useEffect(() => {
    const el = container.current;
    if (el === null) return;
    const instance = new uPlot(chartOptions(spec, CHART_COLORS[theme], el.clientWidth, raw), [[]], el);
    chart.current = instance;
    const resize = new ResizeObserver(() => instance.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      instance.destroy();
      chart.current = null;
    };
  }, [spec, theme]);

  useEffect(() => {
    raw.current = spec.series.map((s) => data.buckets.map(s.value));
    chart.current?.setData(chartColumns(data, spec) as uPlot.AlignedData);
  }, [data, spec, theme]);

  return (
    <figure className="chart" data-chart={spec.id}>
      <figcaption>{spec.title}</figcaption>
      <div ref={container} className="chart-canvas" role="img" aria-label={describeChart(data, spec)} />
    </figure>
  );
}

function chartOptions(
  spec: ChartSpec,
  colors: ChartColors,
  width: number,
  raw: { readonly current: Array<Array<number | null>> },
): uPlot.Options {
  const colorOf = (c: SeriesColor): string => (typeof c === 'number' ? colors.series[c]! : colors[c]);
  const axis = { stroke: colors.axis, grid: { stroke: colors.grid, width: 1 }, ticks: { stroke: colors.grid, width: 1 } };
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    axes: [axis, { ...axis, size: 64, values: (_u, splits) => splits.map((v) => spec.axis(v)) }],
    series: [
      {},
      ...spec.series.map((s, i): uPlot.Series => ({
        label: s.label,
        stroke: colorOf(s.color),
        width: 2,
        points: { show: true, size: 6, fill: colorOf(s.color), filter: (u, si) => isolatedIndices(u.data[si] ?? []) },
        // Stacked: the bottom series fills to zero, the bands below fill between the others.
        ...(spec.stacked && i === 0 ? { fill: `${colorOf(s.color)}55` } : {}),
        value: (_u, _v, _si, idx) => (idx === null ? '—' : spec.format(raw.current[i]?.[idx] ?? null)),
      })),
    ],
    bands: spec.stacked
      ? spec.series.slice(1).map((s, i) => ({ series: [i + 2, i + 1] as [number, number], fill: `${colorOf(s.color)}55` }))
      : [],
  };
}
