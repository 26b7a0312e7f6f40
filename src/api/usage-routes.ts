/**
 * `GET /stats/usage`: exact usage per day, week or month (optionally per model, key, user or
 * endpoint) over the whole retained history, as JSON or CSV (`format=csv`).
 */
import { stringify } from 'csv-stringify/sync';
import { Hono } from 'hono';
import type { UsageReport } from '../analytics/types.js';
import { USAGE_DIMENSIONS, USAGE_GRANULARITIES, type UsageDimension, type UsageFilter, type UsageGranularity, type UsageTotals } from '../domain/usage.js';
import type { AdminAppDeps } from './admin-app.js';
import { parseStatsFilter } from './filter-params.js';
import { InvalidParamError, single, type QueryValues } from './param-error.js';
import type { UsageAnswer, UsageEntry, UsageSums } from './stats-shapes.js';

const SUM_FIELDS = [
  'requests', 'errors', 'input_tokens', 'output_tokens', 'total_tokens', 'cached_input_tokens', 'reasoning_tokens',
  'cost_usd', 'duration_ms',
] as const satisfies ReadonlyArray<keyof UsageTotals & keyof UsageSums>;

export function createUsageRoutes(deps: AdminAppDeps): Hono {
  const { analytics, refresh } = deps;
  const now = deps.now ?? Date.now;
  const routes = new Hono();

  routes.get('/usage', async (c) => {
    const query = c.req.queries();
    const { start, end: givenEnd, tags, ...filter } = parseStatsFilter(query);
    if (tags !== undefined) throw new InvalidParamError('tag', 'tag filters do not apply to /stats/usage: the daily rollups are not kept per tag');
    const granularity = choice(query, 'granularity', USAGE_GRANULARITIES) ?? 'day';
    const groupBy = choice(query, 'group_by', USAGE_DIMENSIONS) ?? null;
    const format = choice(query, 'format', ['json', 'csv'] as const) ?? 'json';
    const end = givenEnd ?? now();
    if (start !== undefined && end <= start) {
      throw new InvalidParamError('start', `start must be earlier than end (${new Date(end).toISOString()})`);
    }
    await refresh();
    const usageFilter: UsageFilter = filter;
    const [report, retainedFrom] = await Promise.all([
      analytics.usage({ start: start ?? null, end, granularity, groupBy, filter: usageFilter }),
      analytics.retainedFrom(),
    ]);
    const answer = toAnswer(report, granularity, groupBy, retainedFrom);
    if (format === 'json') return c.json(answer);
    const day = (iso: string): string => iso.slice(0, 10);
    const header = ['period', ...(groupBy === null ? [] : [groupBy]), ...SUM_FIELDS];
    const records = answer.usage.map((row) => [
      day(row.period),
      ...(groupBy === null ? [] : [row[groupBy] ?? '']),
      ...SUM_FIELDS.map((f) => row[f]),
    ]);
    const filename = `usage-${granularity}${groupBy === null ? '' : `-by-${groupBy}`}-${day(answer.start)}-to-${day(answer.end)}.csv`;
    return c.body(stringify([header, ...records]), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
    });
  });

  return routes;
}

function toAnswer(report: UsageReport, granularity: UsageGranularity, groupBy: UsageDimension | null, retainedFrom: number | null): UsageAnswer {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  const usage: UsageEntry[] = report.rows.map((row) => ({
    period: new Date(row.period).toISOString(),
    ...(groupBy === null ? {} : { [groupBy]: row.key ?? null }),
    ...sums(row.usage),
  }));
  return {
    start: new Date(report.start).toISOString(),
    end: new Date(report.end).toISOString(),
    granularity,
    group_by: groupBy,
    partial: report.partial,
    retained_from: iso(retainedFrom),
    usage_retained_from: iso(report.usageRetainedFrom),
    usage,
    totals: sums(report.totals),
  };
}

function sums(u: UsageTotals): UsageSums {
  return Object.fromEntries(SUM_FIELDS.map((f) => [f, u[f]])) as unknown as UsageSums;
}

function choice<T extends string>(query: QueryValues, name: string, allowed: readonly T[]): T | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new InvalidParamError(name, `${name} must be one of ${allowed.join(', ')}; got ${JSON.stringify(raw)}`);
  }
  return raw as T;
}
