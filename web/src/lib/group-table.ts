/**
 * The breakdown tables (models, keys, users, endpoints): which endpoint feeds each, its columns,
 * and sorting. Every group row comes from `/stats/by-*`, already aggregated by the server.
 */
import type { GroupStats } from './api-types.js';
import type { StatsEndpoint } from './api-query.js';
import { formatCount, formatDuration, formatPercent, formatTokensPerSecond, formatUsd } from './format.js';
import type { TextFilter } from './url-state.js';

export type GroupTab = 'models' | 'keys' | 'users' | 'endpoints';

export interface GroupKind {
  readonly endpoint: StatsEndpoint;
  /** The list's name in the response: `{"models": [...]}`. */
  readonly list: string;
  /** The group's key field in each entry, which is also the filter it sets. */
  readonly field: TextFilter;
  /** Column heading of the key. */
  readonly label: string;
}

export const GROUP_KINDS: Readonly<Record<GroupTab, GroupKind>> = {
  models: { endpoint: 'by-model', list: 'models', field: 'model', label: 'Model' },
  keys: { endpoint: 'by-key', list: 'keys', field: 'api_key_id', label: 'API key' },
  users: { endpoint: 'by-user', list: 'users', field: 'user', label: 'User' },
  endpoints: { endpoint: 'by-endpoint', list: 'endpoints', field: 'endpoint', label: 'Endpoint' },
};

/** A `/stats/by-*` entry: the figures plus its key (null for requests without one). */
export type GroupRow = GroupStats & { readonly key: string | null };

export function toGroupRows(body: Record<string, unknown>, kind: GroupKind): GroupRow[] {
  const list = (body[kind.list] ?? []) as Array<GroupStats & Record<string, unknown>>;
  return list.map((entry) => ({ ...entry, key: (entry[kind.field] as string | null | undefined) ?? null }));
}

export interface GroupColumn {
  readonly id: string;
  readonly label: string;
  readonly value: (row: GroupRow) => number | null;
  readonly format: (value: number | null) => string;
}

export function errorRate(row: GroupStats): number | null {
  return row.requests === 0 ? null : row.failed_requests / row.requests;
}

export const GROUP_COLUMNS: readonly GroupColumn[] = [
  { id: 'requests', label: 'Requests', value: (r) => r.requests, format: formatCount },
  { id: 'error-rate', label: 'Error rate', value: errorRate, format: formatPercent },
  { id: 'input-tokens', label: 'Input tokens', value: (r) => r.input_tokens, format: formatCount },
  { id: 'output-tokens', label: 'Output tokens', value: (r) => r.output_tokens, format: formatCount },
  { id: 'cost', label: 'Cost', value: (r) => (r.priced_requests > 0 ? r.cost_usd : null), format: formatUsd },
  { id: 'duration-p50', label: 'Duration p50', value: (r) => r.duration_ms.p50, format: formatDuration },
  { id: 'duration-p95', label: 'Duration p95', value: (r) => r.duration_ms.p95, format: formatDuration },
  { id: 'ttft-p50', label: 'TTFT p50', value: (r) => r.ttft_ms.p50, format: formatDuration },
  { id: 'ttft-p95', label: 'TTFT p95', value: (r) => r.ttft_ms.p95, format: formatDuration },
  { id: 'tokens-per-second', label: 'Speed (avg)', value: (r) => r.avg_tokens_per_second, format: formatTokensPerSecond },
];

export type SortDirection = 'asc' | 'desc';
export interface SortOrder {
  /** `key` (the group's name) or a column id. */
  readonly column: string;
  readonly direction: SortDirection;
}

export const DEFAULT_SORT: SortOrder = { column: 'requests', direction: 'desc' };

/** A stable sort; rows without a value go last in either direction. */
export function sortGroupRows(rows: readonly GroupRow[], order: SortOrder): GroupRow[] {
  const column = GROUP_COLUMNS.find((c) => c.id === order.column);
  const valueOf = (row: GroupRow): number | string | null => (column ? column.value(row) : row.key);
  const sign = order.direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: valueOf(row) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      }
      const cmp = typeof a.value === 'string' ? a.value.localeCompare(String(b.value)) : a.value - (b.value as number);
      return cmp === 0 ? a.index - b.index : sign * cmp;
    })
    .map((entry) => entry.row);
}

/** Clicking a heading: a new column sorts descending (names ascending); the same column flips. */
export function nextSort(current: SortOrder, column: string): SortOrder {
  if (current.column === column) return { column, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { column, direction: column === 'key' ? 'asc' : 'desc' };
}
