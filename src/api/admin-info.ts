/**
 * `GET /api/info`: what the dashboard needs to know about the service itself, such as the
 * proxy's address for the empty state's "point your client here" snippets.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import type { AdminInfo } from './stats-shapes.js';

/** The `version` of this checkout's package.json (two levels above src/api and dist/api). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export function createInfoRoutes(info: () => AdminInfo): Hono {
  const routes = new Hono();
  routes.get('/info', (c) => c.json(info()));
  return routes;
}
