/**
 * Endpoints of the OpenAI LLM metrics proxy's metrics API: `/metrics` (JSON) and
 * `/completion_requests`. Both count completion endpoints only and accept the stats filters.
 */
import { Hono } from 'hono';
import type { AdminAppDeps } from './admin-app.js';
import { toCompletionRequest } from './completion-requests.js';
import { parseStatsFilter } from './filter-params.js';
import { buildMetricsJson } from './openai-metrics-json.js';
import { limitParam, offsetParam } from './query-params.js';

export function createOpenAiRoutes(deps: AdminAppDeps): Hono {
  const { store, analytics, refresh } = deps;
  const now = deps.now ?? Date.now;
  const routes = new Hono();

  routes.get('/metrics', async (c) => {
    const filter = parseStatsFilter(c.req.queries());
    await refresh();
    return c.json(buildMetricsJson(analytics.completionOverview(filter), now()));
  });

  routes.get('/completion_requests', async (c) => {
    const query = c.req.queries();
    const limit = limitParam(query);
    const offset = offsetParam(query);
    const filter = parseStatsFilter(query);
    const rows = await store.recent({ filter, completionsOnly: true, limit, ...(offset !== undefined ? { offset } : {}) });
    return c.json(rows.map(toCompletionRequest));
  });

  return routes;
}
