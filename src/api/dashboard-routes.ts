/**
 * The dashboard's static files (the Vite build in web/dist) at `/` on the admin port. Only
 * `/`, `/index.html` and the build's files are served (from memory, Brotli or gzip when the
 * browser takes it: dashboard-files.ts); every other path falls through to the API routes and the
 * JSON 404. Without a build, `/` says how to make one instead of failing.
 */
import { fileURLToPath } from 'node:url';
import { Hono, type MiddlewareHandler } from 'hono';
import { DashboardFiles, pickEncoding } from './dashboard-files.js';

/** web/dist of this checkout, from src/api (tsx) and dist/api (build) alike. */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// The dashboard loads only its own scripts and styles and talks only to this origin.
const INDEX_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache',
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; " +
    "base-uri 'self'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>Run <code>npm run build:web</code> in the project directory (<code>npm start</code> and
<code>npm test</code> do it for you), then reload this page.</p>
<p>The stats API works without it: <a href="stats/summary">stats/summary</a>.</p>
</body></html>`;

export function createDashboardRoutes(dir: string): Hono {
  const routes = new Hono();
  const build = new DashboardFiles(dir);
  const serve: MiddlewareHandler = async (c, next) => {
    const index = isIndex(c.req.path);
    const path = index ? '/index.html' : c.req.path;
    // A page load or a miss looks for a new build first (a rebuild while running).
    let file = build.current(index)?.get(path);
    if (file === undefined && !index) file = build.current(true)?.get(path);
    if (file === undefined) {
      if (index) return c.html(NOT_BUILT_PAGE, 503, { 'Cache-Control': 'no-store' });
      return next(); // on to the JSON 404
    }
    const encoding = pickEncoding(file, c.req.header('accept-encoding'));
    const body = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.body;
    const headers: Record<string, string> = { ...headersFor(c.req.path), 'Content-Type': file.type };
    if (file.br !== null || file.gzip !== null) headers.Vary = 'Accept-Encoding';
    if (encoding !== null) headers['Content-Encoding'] = encoding;
    return c.body(body, 200, headers);
  };
  routes.get('/', serve);
  routes.get('/index.html', serve);
  // Vite's output: hashed bundles under assets/, plus the files of web/public.
  routes.get('/assets/*', serve);
  routes.get('/favicon.svg', serve);
  return routes;
}

function isIndex(path: string): boolean {
  return path === '/' || path === '/index.html';
}

function headersFor(path: string): Readonly<Record<string, string>> {
  if (path === '/' || path === '/index.html') return INDEX_HEADERS;
  // Bundle names carry a content hash: a changed file gets a new name.
  if (path.startsWith('/assets/')) return { 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };
  return { 'Cache-Control': 'no-cache' };
}
