/**
 * `/stats/*`. Aggregates come from the analytics index, brought up to date with the store first
 * (`refresh`); rows come from the store. Parameters are validated before either is touched;
 * store and analytics failures propagate to the app's error handler.
 */
import { Hono } from 'hono';
import { EMPTY_AGGREGATE } from '../analytics/accumulator.js';
import type { GroupDimension } from '../analytics/types.js';
import type { AdminAppDeps } from './admin-app.js';
import { errorBody } from './error-body.js';
import { parseStatsFilter } from './filter-params.js';
import { InvalidParamError, single } from './param-error.js';
import { limitParam, offsetParam, parseRequestId } from './query-params.js';
import { decodeCursor, encodeCursor } from './recent-cursor.js';
import { retentionNote, withinRetained } from './retention-note.js';
import { GROUP_FIELD, toGroupStats, toSummary } from './stats-format.js';
import type { RecentPage, StreamSplit } from './stats-shapes.js';
import { buildTimeseries, FIRST_REQUEST, timeseriesRequest, withoutParam } from './timeseries.js';

/** `/stats/by-*` routes: path, dimension, and the name of the response's list. */
const GROUP_ROUTES: ReadonlyArray<readonly [path: string, dimension: GroupDimension, list: string]> = [
  ['/by-model', 'model', 'models'],
  ['/by-key', 'api_key_id', 'keys'],
  ['/by-user', 'user', 'users'],
  ['/by-endpoint', 'endpoint', 'endpoints'],
];

export function createStatsRoutes(deps: AdminAppDeps): Hono {
  const { store, analytics, refresh } = deps;
  const now = deps.now ?? Date.now;
  const routes = new Hono();

  routes.get('/summary', async (c) => {
    const filter = parseStatsFilter(c.req.queries());
    await refresh();
    const [aggregate, span, kept] = await Promise.all([analytics.aggregate(filter), analytics.timeSpan(filter), analytics.retainedFrom()]);
    return c.json({ ...toSummary(aggregate, span), ...retentionNote(filter, kept) });
  });

  for (const [path, dimension, list] of GROUP_ROUTES) {
    routes.get(path, async (c) => {
      const filter = parseStatsFilter(c.req.queries());
      await refresh();
      const rows = (await analytics.groupBy(dimension, filter))
        .map((g) => ({ [GROUP_FIELD[dimension]]: g.key, ...toGroupStats(g.aggregate) }));
      return c.json({ [list]: rows, ...retentionNote(filter, await analytics.retainedFrom()) });
    });
  }

  routes.get('/by-streamed', async (c) => {
    const filter = parseStatsFilter(c.req.queries());
    await refresh();
    const groups = await analytics.groupBy('streamed', filter);
    const side = (key: string) => toGroupStats(groups.find((g) => g.key === key)?.aggregate ?? EMPTY_AGGREGATE);
    const body: StreamSplit = { streamed: side('true'), non_streamed: side('false'), ...retentionNote(filter, await analytics.retainedFrom()) };
    return c.json(body);
  });

  routes.get('/timeseries', async (c) => {
    const query = c.req.queries();
    // start=first: from the oldest matching request (the dashboard's "all time" charts).
    const fromFirst = single(query, 'start') === FIRST_REQUEST;
    const rest = fromFirst ? withoutParam(query, 'start') : query;
    const filter = parseStatsFilter(rest);
    const at = now();
    if (!fromFirst) {
      const request = timeseriesRequest(filter, rest, at);
      await refresh();
      return c.json({ ...(await buildTimeseries(analytics, request)), ...retentionNote(request.filter, await analytics.retainedFrom()) });
    }
    await refresh();
    const first = (await analytics.timeSpan({ ...filter, end: filter.end ?? at }))?.first;
    const request = timeseriesRequest(first === undefined ? filter : { ...filter, start: first }, rest, at);
    // All time: partial whenever retention has deleted anything, even though the series starts later.
    return c.json({ ...(await buildTimeseries(analytics, request)), ...retentionNote(filter, await analytics.retainedFrom()) });
  });

  routes.get('/recent', async (c) => {
    const query = c.req.queries();
    const limit = limitParam(query);
    const offset = offsetParam(query);
    const rawCursor = single(query, 'cursor');
    const before = rawCursor === undefined ? undefined : decodeCursor(rawCursor);
    if (offset !== undefined && before !== undefined) {
      throw new InvalidParamError('cursor', 'cursor and offset cannot be used together; page with one or the other');
    }
    const filter = parseStatsFilter(query);
    const kept = await analytics.retainedFrom();
    // One row more than asked tells whether an older page exists.
    const rows = await store.recent({
      filter: withinRetained(filter, kept),
      limit: limit + 1,
      ...(offset !== undefined ? { offset } : {}),
      ...(before !== undefined ? { before } : {}),
    });
    const requests = rows.slice(0, limit);
    const last = requests.at(-1);
    const body: RecentPage = {
      requests,
      next_cursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
      ...retentionNote(filter, kept),
    };
    return c.json(body);
  });

  routes.get('/requests/:id', async (c) => {
    const id = parseRequestId(c.req.param('id'));
    const request = await store.getRequest(id);
    if (request === null) {
      return c.json(errorBody(`no request with id ${id}`, 'invalid_request_error', 'not_found', 'id'), 404);
    }
    return c.json(request);
  });

  return routes;
}
