/**
 * Endpoints of the OpenAI LLM metrics proxy's metrics API: `/metrics` (JSON) and
 * `/completion_requests`. Both count completion endpoints only and accept the stats filters.
 * `/metrics` answers Prometheus scrapers (by their Accept header) with exposition text instead,
 * which `/metrics/prometheus` always serves.
 */
import { Hono, type Context } from 'hono';
import { AppError } from '../errors.js';
import type { ExpositionFormat } from '../metrics/exposition.js';
import type { AdminAppDeps } from './admin-app.js';
import { toCompletionRequest } from './completion-requests.js';
import { parseStatsFilter } from './filter-params.js';
import { expositionFormat, metricsFormat } from './metrics-format.js';
import { buildMetricsJson } from './openai-metrics-json.js';
import { limitParam, offsetParam } from './query-params.js';
import { retentionNote, withinRetained } from './retention-note.js';

export function createOpenAiRoutes(deps: AdminAppDeps): Hono {
  const { store, analytics, refresh } = deps;
  const now = deps.now ?? Date.now;
  const routes = new Hono();

  const { exposition } = deps;
  /** Exposition of every Prometheus metric; stats filters do not apply to process-lifetime counters. */
  const expose = async (c: Context, format: ExpositionFormat): Promise<Response> => {
    if (exposition === undefined) return c.notFound();
    try {
      const { contentType, body } = await exposition(format);
      return c.body(body, 200, { 'content-type': contentType, vary: 'Accept' });
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'LMP_METRICS_UNAVAILABLE') throw err;
      deps.logger.warn({ err }, 'metrics scrape failed');
      return c.text(`${err.message}\n`, 503);
    }
  };

  routes.get('/metrics', async (c) => {
    const accept = c.req.header('accept');
    if (exposition !== undefined) {
      const format = metricsFormat(accept);
      if (format !== 'json') return expose(c, format);
      c.header('vary', 'Accept');
    }
    const filter = parseStatsFilter(c.req.queries());
    await refresh();
    return c.json({ ...buildMetricsJson(await analytics.completionOverview(filter), now()), ...retentionNote(filter, await analytics.retainedFrom()) });
  });

  routes.get('/metrics/prometheus', (c) => expose(c, expositionFormat(c.req.header('accept'))));

  routes.get('/completion_requests', async (c) => {
    const query = c.req.queries();
    const limit = limitParam(query);
    const offset = offsetParam(query);
    const filter = parseStatsFilter(query);
    const kept = await analytics.retainedFrom();
    // The answer is a bare array (the OpenAI LLM metrics proxy's shape), so retention is told in headers.
    const note = retentionNote(filter, kept);
    c.header('x-partial', String(note.partial));
    if (note.retained_from !== null) c.header('x-retained-from', note.retained_from);
    const rows = await store.recent({ filter: withinRetained(filter, kept), completionsOnly: true, limit, ...(offset !== undefined ? { offset } : {}) });
    return c.json(rows.map(toCompletionRequest));
  });

  return routes;
}
