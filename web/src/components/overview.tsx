import type { Summary } from '../lib/api-types.js';
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
  const chartWindow = useChartWindow(window, now, current.data);
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
 * The charts need a start. "All time" has none: it starts at the oldest matching request, which
 * the summary names (`first_request_at`), so the charts wait for no other request.
 */
function useChartWindow(window: TimeWindow, now: number, summary: Summary | undefined): TimeWindow | null {
  if (window.start !== null) return window;
  if (summary === undefined) return null;
  if (summary.first_request_at === null) return { start: now - DAY, end: now };
  const start = Date.parse(summary.first_request_at);
  return { start, end: Math.max(now, start + 60_000) };
}
