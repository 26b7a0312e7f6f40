import type { Timeseries } from '../lib/api-types.js';
import { timeseriesPath } from '../lib/api-query.js';
import { CHARTS } from '../lib/chart-data.js';
import type { Theme } from '../lib/theme.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { retentionOf } from '../lib/retention.js';
import { useApi } from '../hooks/use-api.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';
import { TimeChart } from './time-chart.js';

interface ChartsPanelProps {
  readonly window: TimeWindow;
  readonly filters: Filters;
  readonly theme: Theme;
}

/** The five charts over time, from one `/stats/timeseries` read (the server picks the bucket). */
export function ChartsPanel({ window, filters, theme }: ChartsPanelProps) {
  const series = useApi<Timeseries>(timeseriesPath(window, filters));
  useRetentionReport('charts', retentionOf(series.data));
  return (
    <Panel
      id="charts"
      title="Over time"
      state={panelState(series)}
      source={series.source}
      actions={series.data && <span className="muted">per {series.data.bucket}</span>}
    >
      {series.error && <ApiErrorMessage what="the charts" error={series.error} />}
      {!series.error && series.data && (
        <div className="charts">
          {CHARTS.map((spec) => (
            <TimeChart key={spec.id} spec={spec} data={series.data!} theme={theme} />
          ))}
        </div>
      )}
      {!series.error && !series.data && <p className="muted">Loading…</p>}
    </Panel>
  );
}
