import { Hono } from 'hono';
import type { Analytics } from '../analytics/types.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { errorBody } from './error-body.js';
import { createOpenAiRoutes } from './openai-routes.js';
import { InvalidParamError } from './param-error.js';
import { createStatsRoutes } from './stats-routes.js';

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
}

export const ADMIN_SERVICE_NAME = 'llm-metrics-proxy-admin';

/** The internal admin HTTP API: health, request statistics and the OpenAI metrics proxy's endpoints, JSON only. */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const { logger } = deps;
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', service: ADMIN_SERVICE_NAME }));
  app.route('/stats', createStatsRoutes(deps));
  app.route('/', createOpenAiRoutes(deps));

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
