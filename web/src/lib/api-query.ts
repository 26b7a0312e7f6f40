/** Paths of the admin API the dashboard reads, relative to the page (`stats/summary?…`). */
import { previousWindow, type TimeWindow } from './time-range.js';
import { appendFilters, type Filters } from './url-state.js';

export type StatsEndpoint =
  | 'summary'
  | 'by-model'
  | 'by-key'
  | 'by-user'
  | 'by-endpoint'
  | 'by-streamed'
  | 'timeseries'
  | 'recent'
  | 'usage';

/**
 * `stats/<endpoint>?start&end&<filters>&<extra>`. Relative, so the dashboard also works behind a
 * reverse proxy that serves the admin port under a sub-path.
 */
export function statsPath(
  endpoint: StatsEndpoint,
  window: TimeWindow,
  filters: Filters,
  extra: Readonly<Record<string, string>> = {},
): string {
  const params = new URLSearchParams();
  if (window.start !== null) params.set('start', new Date(window.start).toISOString());
  if (window.end !== null) params.set('end', new Date(window.end).toISOString());
  appendFilters(params, filters);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const query = params.toString();
  return query === '' ? `stats/${endpoint}` : `stats/${endpoint}?${query}`;
}

/** Requests per page of the requests table. */
export const PAGE_SIZE = 50;

/** Whether anything was ever recorded (else: the empty state): one row, newest first, unfiltered. */
export const PROBE_PATH = 'stats/recent?limit=1';

/** One page of recent requests: the first (cursor null) or the one a cursor points to. */
export function recentPath(window: TimeWindow, filters: Filters, limit: number, cursor: string | null): string {
  return statsPath('recent', window, filters, { limit: String(limit), ...(cursor === null ? {} : { cursor }) });
}

/** The overview's reads that need nothing but the view: its summary, the previous period's, the stream split. */
export function overviewPaths(window: TimeWindow, filters: Filters) {
  const before = previousWindow(window);
  return {
    current: statsPath('summary', window, filters),
    previous: before === null ? null : statsPath('summary', before, filters),
    split: statsPath('by-streamed', window, filters),
  };
}

/** The charts' read. Without a start ("all time") the server starts at the oldest matching request. */
export function timeseriesPath(window: TimeWindow, filters: Filters): string {
  return statsPath('timeseries', window, filters, window.start === null ? { start: 'first' } : {});
}

export function requestPath(id: number): string {
  return `stats/requests/${id}`;
}

export const INFO_PATH = 'api/info';
