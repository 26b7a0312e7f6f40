import { Hono } from 'hono';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';
import { errorBody } from './error-body.js';
import { createStatsRoutes } from './stats-routes.js';

export interface AdminAppDeps {
  store: Store;
  logger: Logger;
}

export const ADMIN_SERVICE_NAME = 'llm-metrics-proxy-admin';

/** The internal admin HTTP API: health and request statistics, JSON only. */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const { store, logger } = deps;
  const app = new Hono();

  app.get('/health', (c) => c.json({ status: 'ok', service: ADMIN_SERVICE_NAME }));
  app.route('/stats', createStatsRoutes(store));

  app.notFound((c) =>
    c.json(
      errorBody(`no route for ${c.req.method} ${c.req.path}`, 'invalid_request_error', 'not_found'),
      404,
    ),
  );

  app.onError((err, c) => {
    logger.error({ err, method: c.req.method, path: c.req.path }, 'admin request failed');
    return c.json(errorBody('internal error while handling the request', 'server_error', 'internal_error'), 500);
  });

  return app;
}
