/** Paths of the admin API the dashboard reads, relative to the page (`stats/summary?…`). */
import type { TimeWindow } from './time-range.js';
import { appendFilters, type Filters } from './url-state.js';

export type StatsEndpoint =
  | 'summary'
  | 'by-model'
  | 'by-key'
  | 'by-user'
  | 'by-endpoint'
  | 'timeseries'
  | 'recent';

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

export function requestPath(id: number): string {
  return `stats/requests/${id}`;
}

export const INFO_PATH = 'api/info';
