/**
 * The dashboard's view as URL query parameters, so a link reproduces it: tab, time range,
 * filters, the requests search, live mode and an open request. Parsing is forgiving (an unknown
 * or malformed value falls back to its default); serializing leaves defaults out and keeps a
 * fixed order, so `serializeState(parseState(q))` is canonical.
 *
 * Filter parameters carry the stats API's own names (`model`, `api_key_id`, `tag=key:value` …).
 */
import { DEFAULT_RANGE, isPreset, type RangeSelection } from './time-range.js';
import {
  DEFAULT_USAGE, GRANULARITIES, USAGE_GROUP_BYS, USAGE_METRICS, type Granularity, type UsageGroupBy, type UsageMetric, type UsageSettings,
} from './usage-settings.js';

export const TABS = ['overview', 'models', 'keys', 'users', 'endpoints', 'usage', 'requests'] as const;
export type Tab = (typeof TABS)[number];

export interface Filters {
  readonly model?: string;
  readonly endpoint?: string;
  readonly status?: 'success' | 'error';
  readonly streamed?: boolean;
  readonly api_key_id?: string;
  readonly user?: string;
  /** `key:value` pairs; every one must match. */
  readonly tags: readonly string[];
}

export type TextFilter = 'model' | 'endpoint' | 'api_key_id' | 'user';
export const TEXT_FILTERS: readonly TextFilter[] = ['model', 'endpoint', 'api_key_id', 'user'];

export const FILTER_LABELS: Readonly<Record<TextFilter | 'status' | 'streamed' | 'tag', string>> = {
  model: 'Model',
  endpoint: 'Endpoint',
  api_key_id: 'API key',
  user: 'User',
  status: 'Status',
  streamed: 'Streamed',
  tag: 'Tag',
};

export interface DashboardState {
  readonly tab: Tab;
  readonly range: RangeSelection;
  readonly filters: Filters;
  /** Requests tab: text searched in model names. */
  readonly search: string;
  readonly live: boolean;
  /** The request whose detail is open. */
  readonly requestId: number | null;
  /** The Usage view's granularity, grouping and metric (in the URL on every tab, when not the defaults). */
  readonly usage: UsageSettings;
}

export const DEFAULT_STATE: DashboardState = {
  tab: 'overview',
  range: DEFAULT_RANGE,
  filters: { tags: [] },
  search: '',
  live: true,
  requestId: null,
  usage: DEFAULT_USAGE,
};

/** The range a view shows until one is chosen: the last 30 days for Usage, else the last 24 h. */
export function defaultRange(tab: Tab): RangeSelection {
  return tab === 'usage' ? { key: '30d' } : DEFAULT_RANGE;
}

/**
 * Another tab. A range left at the old view's default becomes the new view's default (Usage
 * opens on 30 days, the others on 24 h); a range that was chosen is kept.
 */
export function withTab(state: DashboardState, tab: Tab): DashboardState {
  const atDefault = state.range.key === defaultRange(state.tab).key;
  return { ...state, tab, range: atDefault ? defaultRange(tab) : state.range };
}

export function parseState(query: string | URLSearchParams): DashboardState {
  const params = typeof query === 'string' ? new URLSearchParams(query) : query;
  const tab = params.get('tab');
  const id = params.get('request');
  const view = (TABS as readonly string[]).includes(tab ?? '') ? (tab as Tab) : DEFAULT_STATE.tab;
  return {
    tab: view,
    range: parseRange(params, defaultRange(view)),
    filters: parseFilters(params),
    search: params.get('q') ?? '',
    live: params.get('live') !== 'off',
    requestId: id !== null && /^[1-9]\d{0,15}$/.test(id) ? Number(id) : null,
    usage: {
      granularity: oneOf(params.get('granularity'), GRANULARITIES) ?? DEFAULT_USAGE.granularity,
      groupBy: oneOf(params.get('group_by'), USAGE_GROUP_BYS) ?? DEFAULT_USAGE.groupBy,
      metric: oneOf(params.get('metric'), USAGE_METRICS) ?? DEFAULT_USAGE.metric,
    },
  };
}

function oneOf<T extends Granularity | UsageGroupBy | UsageMetric>(value: string | null, allowed: readonly T[]): T | undefined {
  return (allowed as readonly string[]).includes(value ?? '') ? (value as T) : undefined;
}

export function serializeState(state: DashboardState): string {
  const params = new URLSearchParams();
  if (state.tab !== DEFAULT_STATE.tab) params.set('tab', state.tab);
  if (state.range.key === 'custom') {
    params.set('range', 'custom');
    params.set('from', new Date(state.range.from).toISOString());
    params.set('to', new Date(state.range.to).toISOString());
  } else if (state.range.key !== defaultRange(state.tab).key) {
    params.set('range', state.range.key);
  }
  appendFilters(params, state.filters);
  if (state.search !== '') params.set('q', state.search);
  if (!state.live) params.set('live', 'off');
  if (state.requestId !== null) params.set('request', String(state.requestId));
  if (state.usage.granularity !== DEFAULT_USAGE.granularity) params.set('granularity', state.usage.granularity);
  if (state.usage.groupBy !== DEFAULT_USAGE.groupBy) params.set('group_by', state.usage.groupBy);
  if (state.usage.metric !== DEFAULT_USAGE.metric) params.set('metric', state.usage.metric);
  return params.toString();
}

/** The filters as stats API query parameters (also their URL form). */
export function appendFilters(params: URLSearchParams, filters: Filters): void {
  for (const name of TEXT_FILTERS) {
    const value = filters[name];
    if (value !== undefined) params.set(name, value);
  }
  if (filters.status !== undefined) params.set('status', filters.status);
  if (filters.streamed !== undefined) params.set('streamed', String(filters.streamed));
  for (const tag of filters.tags) params.append('tag', tag);
}

export function hasFilters(filters: Filters): boolean {
  return activeFilterCount(filters) > 0;
}

export function activeFilterCount(filters: Filters): number {
  const single = [...TEXT_FILTERS, 'status', 'streamed'] as const;
  return single.filter((name) => filters[name] !== undefined).length + filters.tags.length;
}

/** A `key:value` tag as the API takes it: both parts non-empty. */
export function isValidTag(tag: string): boolean {
  const colon = tag.indexOf(':');
  return colon > 0 && colon < tag.length - 1;
}

function parseRange(params: URLSearchParams, fallback: RangeSelection): RangeSelection {
  const key = params.get('range');
  if (key === 'all') return { key };
  if (key !== null && isPreset(key)) return { key };
  if (key === 'custom') {
    const from = Date.parse(params.get('from') ?? '');
    const to = Date.parse(params.get('to') ?? '');
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { key, from, to };
  }
  return fallback;
}

function parseFilters(params: URLSearchParams): Filters {
  const filters: { -readonly [K in keyof Filters]: Filters[K] } = { tags: params.getAll('tag').filter(isValidTag) };
  for (const name of TEXT_FILTERS) {
    const value = params.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  const status = params.get('status');
  if (status === 'success' || status === 'error') filters.status = status;
  const streamed = params.get('streamed');
  if (streamed === 'true' || streamed === 'false') filters.streamed = streamed === 'true';
  return filters;
}
