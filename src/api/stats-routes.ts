import { Hono } from 'hono';
import type { Store } from '../store/types.js';
import { errorBody } from './error-body.js';
import { parseLimit } from './query-params.js';

/** `/stats/*`: read-only views of the store. Store failures propagate to the app's error handler. */
export function createStatsRoutes(store: Store): Hono {
  const routes = new Hono();

  routes.get('/summary', async (c) => c.json(await store.summary()));

  routes.get('/by-model', async (c) => c.json({ models: await store.byModel() }));

  routes.get('/recent', async (c) => {
    const limit = parseLimit(c.req.query('limit'));
    if (!limit.ok) {
      return c.json(errorBody(limit.message, 'invalid_request_error', 'invalid_parameter', 'limit'), 400);
    }
    return c.json({ requests: await store.recent(limit.value) });
  });

  return routes;
}
