import type { Summary } from '../lib/api-types.js';
import { overviewPaths } from '../lib/api-query.js';
import type { Theme } from '../lib/theme.js';
import { formatSpan, type TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { retentionOf } from '../lib/retention.js';
import { useApi } from '../hooks/use-api.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ChartsPanel } from './charts-panel.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';
import { StreamSplit } from './stream-split.js';
import { Tiles } from './tiles.js';

interface OverviewProps {
  readonly window: TimeWindow;
  readonly filters: Filters;
  readonly theme: Theme;
}

/** Tiles with the change against the previous period, the streamed split, and the charts. */
export function Overview({ window, filters, theme }: OverviewProps) {
  const paths = overviewPaths(window, filters);
  const current = useApi<Summary>(paths.current);
  const previous = useApi<Summary>(paths.previous);
  useRetentionReport('summary', retentionOf(current.data));
  const span = window.start !== null && window.end !== null ? formatSpan(window.end - window.start) : null;
  // The tiles are complete once the previous period is in too (or failed: each tile says so).
  const comparing = paths.previous !== null && previous.error === undefined && (previous.loading || previous.data === undefined);
  const tilesState = panelState(current) === 'ready' && comparing ? 'loading' : panelState(current);

  return (
    <div className="overview">
      <Panel id="tiles" title="Summary" state={tilesState} source={current.source}>
        {current.error && <ApiErrorMessage what="the summary" error={current.error} />}
        {!current.error && current.data && (
          <Tiles current={current.data} previous={paths.previous === null ? null : (previous.error ?? previous.data)} span={span} />
        )}
        {!current.error && !current.data && <p className="muted">Loading…</p>}
      </Panel>
      <ChartsPanel window={window} filters={filters} theme={theme} />
      <StreamSplit window={window} filters={filters} />
    </div>
  );
}
