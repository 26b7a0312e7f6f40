import type { RecentPage, Summary } from '../lib/api-types.js';
import { statsPath } from '../lib/api-query.js';
import type { Theme } from '../lib/theme.js';
import { formatSpan, previousWindow, type TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { useApi } from '../hooks/use-api.js';
import { ChartsPanel } from './charts-panel.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';
import { StreamSplit } from './stream-split.js';
import { Tiles } from './tiles.js';

interface OverviewProps {
  readonly window: TimeWindow;
  readonly filters: Filters;
  readonly now: number;
  readonly theme: Theme;
}

const DAY = 86_400_000;

/** Tiles with the change against the previous period, the streamed split, and the charts. */
export function Overview({ window, filters, now, theme }: OverviewProps) {
  const before = previousWindow(window);
  const current = useApi<Summary>(statsPath('summary', window, filters));
  const previous = useApi<Summary>(before === null ? null : statsPath('summary', before, filters));
  const chartWindow = useChartWindow(window, filters, now, current.data);
  const span = window.start !== null && window.end !== null ? formatSpan(window.end - window.start) : null;

  return (
    <div className="overview">
      <Panel id="tiles" title="Summary" state={panelState(current)} source={current.source}>
        {current.error && <ApiErrorMessage what="the summary" error={current.error} />}
        {!current.error && current.data && (
          <Tiles current={current.data} previous={before === null ? null : (previous.error ?? previous.data)} span={span} />
        )}
        {!current.error && !current.data && <p className="muted">Loading…</p>}
      </Panel>
      <ChartsPanel window={chartWindow} filters={filters} theme={theme} />
      <StreamSplit window={window} filters={filters} />
    </div>
  );
}

/**
 * The charts need a start. "All time" has none: it starts at the oldest matching request, found
 * as the last row of `/stats/recent` (offset total − 1), a single row.
 */
function useChartWindow(window: TimeWindow, filters: Filters, now: number, summary: Summary | undefined): TimeWindow | null {
  const unbounded = window.start === null;
  const total = summary?.total_requests;
  const oldest = useApi<RecentPage>(
    unbounded && total !== undefined && total > 0
      ? statsPath('recent', window, filters, { limit: '1', offset: String(total - 1) })
      : null,
  );
  if (!unbounded) return window;
  if (total === 0) return { start: now - DAY, end: now };
  const first = oldest.data?.requests[0];
  if (first === undefined) return null;
  const start = Date.parse(first.start_time);
  return { start, end: Math.max(now, start + 60_000) };
}
