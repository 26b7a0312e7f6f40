/** The Usage view's choices (kept in the URL): period length, what the stack is split by, the metric. */
export type Granularity = 'day' | 'week' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['day', 'week', 'month'];

/** What the stack is split by; `none`: one series. */
export type UsageGroupBy = 'model' | 'api_key_id' | 'user' | 'endpoint' | 'none';
export const USAGE_GROUP_BYS: readonly UsageGroupBy[] = ['model', 'api_key_id', 'user', 'endpoint', 'none'];

export type UsageMetric = 'tokens' | 'requests' | 'cost';
export const USAGE_METRICS: readonly UsageMetric[] = ['tokens', 'requests', 'cost'];

export interface UsageSettings {
  readonly granularity: Granularity;
  readonly groupBy: UsageGroupBy;
  readonly metric: UsageMetric;
}

export const DEFAULT_USAGE: UsageSettings = { granularity: 'day', groupBy: 'model', metric: 'tokens' };

export const GRANULARITY_LABELS: Readonly<Record<Granularity, string>> = { day: 'Day', week: 'Week', month: 'Month' };
export const GROUP_BY_LABELS: Readonly<Record<UsageGroupBy, string>> = {
  model: 'Model', api_key_id: 'API key', user: 'User', endpoint: 'Endpoint', none: 'None',
};
export const METRIC_LABELS: Readonly<Record<UsageMetric, string>> = { tokens: 'Tokens', requests: 'Requests', cost: 'Cost' };

