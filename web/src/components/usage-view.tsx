import { useMemo, type ReactNode } from 'react';
import type { UsageAnswer } from '../lib/api-types.js';
import { formatDateTime } from '../lib/format.js';
import { usageRetentionOf } from '../lib/retention.js';
import type { Theme } from '../lib/theme.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters, TextFilter } from '../lib/url-state.js';
import {
  formatUtcDate, GRANULARITIES, GRANULARITY_LABELS, GROUP_BY_LABELS, METRIC_LABELS, NO_GROUP_LABEL, stackUsage, USAGE_GROUP_BYS,
  USAGE_METRICS, usageColumns, usageCsvPath, usagePath, usageTableRows, usageTotals, type UsageSettings,
} from '../lib/usage.js';
import { useApi } from '../hooks/use-api.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';
import { UsageChart } from './usage-chart.js';

/** Rows the table shows at most; the CSV has every one. */
export const MAX_TABLE_ROWS = 500;

const PERIOD_WORDS = { day: 'UTC days', week: 'UTC weeks (from Monday)', month: 'UTC calendar months' } as const;

interface UsageViewProps {
  readonly window: TimeWindow;
  readonly filters: Filters;
  readonly settings: UsageSettings;
  readonly theme: Theme;
  readonly onSettings: (settings: UsageSettings) => void;
  /** A group's name was chosen: filter by it. */
  readonly onPick: (field: TextFilter, value: string) => void;
}

/**
 * Exact usage per day, week or month, stacked by model, key, user or endpoint: one
 * `/stats/usage` read feeds the totals, the chart and the table; the CSV link asks the same query.
 */
export function UsageView({ window, filters, settings, theme, onSettings, onPick }: UsageViewProps) {
  const path = usagePath(window, filters, settings);
  const csv = usageCsvPath(window, filters, settings);
  const result = useApi<UsageAnswer>(path);
  const answer = result.data;
  useRetentionReport('usage', answer && usageRetentionOf(answer));
  // The answer on screen may be the previous query's while the next loads: draw it with its own settings.
  const shownGroupBy = answer ? (answer.group_by ?? 'none') : settings.groupBy;
  const stack = useMemo(() => (answer ? stackUsage(answer, shownGroupBy, settings.metric) : null), [answer, shownGroupBy, settings.metric]);
  const state = panelState(result);
  const empty = answer !== undefined && answer.usage.length === 0;

  return (
    <div className="usage-view">
      <Panel id="usage" title={`Usage per ${settings.granularity}`} state={state} source={result.source}>
        <UsageControls settings={settings} onSettings={onSettings} />
        {filters.tags.length > 0 && (
          <p className="callout" role="note" data-testid="usage-tag-note">
            Usage ignores tag filters ({filters.tags.join(', ')}): the daily totals are not kept per tag, so these figures count
            requests whatever their tags. The other filters apply.
          </p>
        )}
        {result.error && <ApiErrorMessage what="the usage" error={result.error} />}
        {!result.error && !answer && <p className="muted">Loading…</p>}
        {!result.error && answer && (
          <>
            <p className="muted usage-range" data-testid="usage-range">
              {PERIOD_WORDS[answer.granularity]}, from {formatUtcDate(Date.parse(answer.start))} to {formatDateTime(answer.end)}
            </p>
            {empty ? (
              <p className="muted">No usage in this range.</p>
            ) : (
              <>
                <dl className="usage-totals">
                  {usageTotals(answer.totals).map((t) => (
                    <div className="tile" key={t.id} data-usage-total={t.id}>
                      <dt className="tile-label">{t.label}</dt>
                      <dd className="tile-value">{t.value}</dd>
                    </div>
                  ))}
                </dl>
                {settings.metric === 'cost' && answer.totals.cost_usd === 0 && (
                  <p className="note" role="note">No cost was recorded in this range: requests are priced from a price table (PRICES_FILE).</p>
                )}
                {stack && <UsageChart stack={stack} granularity={answer.granularity} metric={settings.metric} theme={theme} />}
              </>
            )}
          </>
        )}
      </Panel>
      <Panel
        id="usage-table"
        title="Usage table"
        state={state}
        source={result.source}
        actions={<a className="button-link" href={csv} download data-testid="usage-csv">Download CSV</a>}
      >
        {result.error && <ApiErrorMessage what="the usage" error={result.error} />}
        {!result.error && !answer && <p className="muted">Loading…</p>}
        {!result.error && answer && (empty ? <p className="muted">No usage in this range.</p> : <UsageTable answer={answer} onPick={onPick} />)}
      </Panel>
    </div>
  );
}

function UsageControls({ settings, onSettings }: { readonly settings: UsageSettings; readonly onSettings: (s: UsageSettings) => void }) {
  return (
    <div className="usage-controls">
      <div className="button-group" role="group" aria-label="Period">
        {GRANULARITIES.map((g) => (
          <button key={g} type="button" data-granularity={g} aria-pressed={settings.granularity === g} onClick={() => onSettings({ ...settings, granularity: g })}>
            {GRANULARITY_LABELS[g]}
          </button>
        ))}
      </div>
      <div className="usage-group-by">
        <label htmlFor="usage-group-by">Group by</label>
        <select id="usage-group-by" value={settings.groupBy} onChange={(e) => onSettings({ ...settings, groupBy: e.target.value as UsageSettings['groupBy'] })}>
          {USAGE_GROUP_BYS.map((g) => (
            <option key={g} value={g}>{GROUP_BY_LABELS[g]}</option>
          ))}
        </select>
      </div>
      <div className="button-group" role="group" aria-label="Chart shows">
        {USAGE_METRICS.map((m) => (
          <button key={m} type="button" data-metric={m} aria-pressed={settings.metric === m} onClick={() => onSettings({ ...settings, metric: m })}>
            {METRIC_LABELS[m]}
          </button>
        ))}
      </div>
    </div>
  );
}

function UsageTable({ answer, onPick }: { readonly answer: UsageAnswer; readonly onPick: (field: TextFilter, value: string) => void }) {
  const groupBy = answer.group_by;
  const columns = usageColumns(answer.totals);
  const rows = usageTableRows(answer, groupBy ?? 'none');
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const group = (value: string | null | undefined): ReactNode => {
    if (value === null || value === undefined) return <span className="muted">{NO_GROUP_LABEL}</span>;
    if (groupBy === null) return value;
    return (
      <button type="button" className="link-button" title={`Filter by ${GROUP_BY_LABELS[groupBy].toLowerCase()} ${value}`} onClick={() => onPick(groupBy, value)}>
        {value}
      </button>
    );
  };
  return (
    <>
      <div className="table-scroll">
        <table className="data-table usage-table" data-group-by={groupBy ?? 'none'}>
          <thead>
            <tr>
              <th scope="col">Period</th>
              {groupBy !== null && <th scope="col">{GROUP_BY_LABELS[groupBy]}</th>}
              {columns.map((c) => (
                <th key={c.id} scope="col" className="num">{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row, i) => (
              <tr key={i} data-period={new Date(row.period).toISOString()}>
                <th scope="row" className="usage-period">{row.periodLabel}</th>
                {groupBy !== null && <td className="group-key" data-column="group">{group(row.group)}</td>}
                {columns.map((c) => (
                  <td key={c.id} className="num" data-column={c.id}>{c.format(c.value(row.sums))}</td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr data-row="totals">
              <th scope="row">Total</th>
              {groupBy !== null && <td />}
              {columns.map((c) => (
                <td key={c.id} className="num" data-column={c.id}>{c.format(c.value(answer.totals))}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      {rows.length > shown.length && (
        <p className="muted" role="status">Showing the first {shown.length} of {rows.length} rows: the CSV has them all.</p>
      )}
    </>
  );
}
