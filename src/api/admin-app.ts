import { Hono } from 'hono';
import type { Analytics } from '../analytics/types.js';
import type { Exposition, ExpositionFormat } from '../metrics/exposition.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { createInfoRoutes } from './admin-info.js';
import { createDashboardRoutes } from './dashboard-routes.js';
import { errorBody } from './error-body.js';
import { createOpenAiRoutes } from './openai-routes.js';
import { InvalidParamError } from './param-error.js';
import { createStatsRoutes } from './stats-routes.js';
import { createUsageRoutes } from './usage-routes.js';
import type { AdminInfo } from './stats-shapes.js';

export interface AdminAppDeps {
  /** Row endpoints (`/stats/recent`, `/stats/requests/:id`, `/completion_requests`) read it. */
  store: Store;
  /** Aggregate endpoints read it, after `refresh`. */
  analytics: Analytics;
  /** Brings `analytics` up to date with `store`; awaited before every aggregate query. */
  refresh: () => Promise<void>;
  logger: Logger;
  /** Clock for `/metrics` timestamps and timeseries defaults; Date.now unless a test fixes it. */
  now?: () => number;
  /** False while the analytics index is still loading the history (`/health` says so). */
  statsReady?: () => boolean;
  /** Answers `GET /api/info`; without it that route does not exist. */
  info?: () => AdminInfo;
  /** The dashboard's built files (web/dist), served at `/`; without it there is no dashboard. */
  dashboardDir?: string;
  /** Prometheus exposition for `/metrics` (by Accept) and `/metrics/prometheus`; without it `/metrics` is JSON only. */
  exposition?: (format: ExpositionFormat) => Promise<Exposition>;
}

export const ADMIN_SERVICE_NAME = 'llm-metrics-proxy-admin';

/**
 * The internal admin HTTP API: health, request statistics and the OpenAI metrics proxy's
 * endpoints (JSON), plus the dashboard's static files at `/`. API routes are registered first.
 */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const { logger } = deps;
  const app = new Hono();

  app.get('/health', (c) => {
    if (deps.statsReady === undefined) return c.json({ status: 'ok', service: ADMIN_SERVICE_NAME });
    return c.json({ status: 'ok', service: ADMIN_SERVICE_NAME, stats: deps.statsReady() ? 'ready' : 'loading' });
  });
  app.route('/stats', createStatsRoutes(deps));
  app.route('/stats', createUsageRoutes(deps));
  app.route('/', createOpenAiRoutes(deps));
  if (deps.info !== undefined) app.route('/api', createInfoRoutes(deps.info));
  if (deps.dashboardDir !== undefined) app.route('/', createDashboardRoutes(deps.dashboardDir));

  app.notFound((c) =>
    c.json(
      errorBody(`no route for ${c.req.method} ${c.req.path}`, 'invalid_request_error', 'not_found'),
      404,
    ),
  );

  app.onError((err, c) => {
    if (err instanceof InvalidParamError) {
      return c.json(errorBody(err.message, 'invalid_request_error', 'invalid_parameter', err.param), 400);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'admin request failed');
    return c.json(errorBody('internal error while handling the request', 'server_error', 'internal_error'), 500);
  });

  return app;
}
