import { useState } from 'react';
import { statsPath } from '../lib/api-query.js';
import {
  DEFAULT_SORT, GROUP_COLUMNS, GROUP_KINDS, nextSort, sortGroupRows, toGroupRows, type GroupTab, type SortOrder,
} from '../lib/group-table.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters, TextFilter } from '../lib/url-state.js';
import { retentionOf } from '../lib/retention.js';
import { useApi } from '../hooks/use-api.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';

interface GroupViewProps {
  readonly tab: GroupTab;
  readonly window: TimeWindow;
  readonly filters: Filters;
  /** A group's name was chosen: filter the whole dashboard by it. */
  readonly onPick: (field: TextFilter, value: string) => void;
}

const TITLES: Readonly<Record<GroupTab, string>> = { models: 'Models', keys: 'API keys', users: 'Users', endpoints: 'Endpoints' };

/** A sortable breakdown table (models, keys, users or endpoints) from `/stats/by-*`. */
export function GroupView({ tab, window, filters, onPick }: GroupViewProps) {
  const kind = GROUP_KINDS[tab];
  const result = useApi<Record<string, unknown>>(statsPath(kind.endpoint, window, filters));
  const [sort, setSort] = useState<SortOrder>(DEFAULT_SORT);
  useRetentionReport(`group-${tab}`, retentionOf(result.data));
  const rows = result.data ? sortGroupRows(toGroupRows(result.data, kind), sort) : [];

  const heading = (column: string, label: string, numeric: boolean) => {
    const active = sort.column === column;
    return (
      <th
        scope="col"
        className={numeric ? 'num' : undefined}
        aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'}
      >
        <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, column))}>
          {label}
          <span aria-hidden="true" className="sort-mark">{active ? (sort.direction === 'asc' ? '↑' : '↓') : ''}</span>
        </button>
      </th>
    );
  };

  return (
    <Panel id={`group-${tab}`} title={TITLES[tab]} state={panelState(result)} source={result.source}>
      {result.error && <ApiErrorMessage what={TITLES[tab].toLowerCase()} error={result.error} />}
      {!result.error && result.data && rows.length === 0 && <p className="muted">No requests match.</p>}
      {!result.error && rows.length > 0 && (
        <div className="table-scroll">
          <table className="data-table group-table" data-group={tab}>
            <thead>
              <tr>
                {heading('key', kind.label, false)}
                {GROUP_COLUMNS.map((c) => heading(c.id, c.label, true))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key ?? '\u0000none'} data-key={row.key ?? ''}>
                  <th scope="row" className="group-key">
                    {row.key === null ? (
                      <span className="muted">(none)</span>
                    ) : (
                      <button
                        type="button"
                        className="link-button"
                        title={`Filter the dashboard by ${kind.label.toLowerCase()} ${row.key}`}
                        onClick={() => onPick(kind.field, row.key!)}
                      >
                        {row.key}
                      </button>
                    )}
                  </th>
                  {GROUP_COLUMNS.map((c) => (
                    <td key={c.id} className="num" data-column={c.id}>{c.format(c.value(row))}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
