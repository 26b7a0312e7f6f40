import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CaptureContext } from '../capture/capture-context.js';
import type { Logger } from '../logger.js';
import type { RequestRecord } from '../domain/request-record.js';
import type { ExchangeObserver } from './exchange-observer.js';
import { sendJsonError } from './json-error.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { UpstreamTarget } from './upstream-target.js';

export interface ProxyServerOptions {
  readonly dispatcher: Dispatcher;
  readonly target: UpstreamTarget;
  readonly logger: Logger;
  readonly capture: CaptureContext;
  readonly record: (record: RequestRecord) => void;
  /** Metrics and tracing hooks, called by every exchange. */
  readonly observer?: ExchangeObserver;
  /** Path prefixes forwarded to the upstream (PROXY_PATHS), e.g. `/v1/` and `/api/`. */
  readonly pathPrefixes: readonly string[];
  /** False while the stats are still loading the history (`/health` says so; proxying goes on). */
  readonly statsReady?: () => boolean;
}

export interface ProxyServer {
  readonly server: Server;
  /** Exchanges still running. */
  readonly inflight: () => number;
  /**
   * Stops accepting connections, waits up to `graceMs` for running exchanges, then ends the rest
   * (each still gets its row). Resolves when every exchange has handed over its row.
   */
  drain(graceMs: number): Promise<void>;
}

const HEALTH_BODY = JSON.stringify({ status: 'ok', service: 'llm-metrics-proxy' });
const HEALTH_READY = JSON.stringify({ status: 'ok', service: 'llm-metrics-proxy', stats: 'ready' });
const HEALTH_LOADING = JSON.stringify({ status: 'ok', service: 'llm-metrics-proxy', stats: 'loading' });

/**
 * The public listener: `GET /health` and everything under the configured prefixes (`/v1/` and
 * Ollama's `/api/` by default); nothing else (no stats here). Plain node:http rather than a
 * framework: this is the hot path, judged against a bare Node pass-through, and it routes
 * exactly two things.
 */
export function createProxyServer(options: ProxyServerOptions): ProxyServer {
  const inflight = new Set<ProxyExchange>();
  let idle: (() => void) | null = null;
  const deps = {
    ...options,
    done(exchange: ProxyExchange) {
      inflight.delete(exchange);
      if (inflight.size === 0) idle?.();
    },
  };

  const prefixes = options.pathPrefixes;
  const served = prefixes.map((p) => `${p}*`).join(', ');
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (prefixes.some((prefix) => url.startsWith(prefix))) {
      if (hasDotSegment(url)) {
        // `/v1/../admin` would leave the proxied prefix (and a configured base path) on the upstream.
        sendJsonError(res, 400, 'Request paths may not contain "." or ".." segments.', 'invalid_request_error', 'invalid_path');
        return;
      }
      const exchange = new ProxyExchange(req, res, deps);
      inflight.add(exchange);
      exchange.start();
      return;
    }
    if ((url === '/health' || url.startsWith('/health?')) && (req.method === 'GET' || req.method === 'HEAD')) {
      const { statsReady } = options;
      const body = statsReady === undefined ? HEALTH_BODY : statsReady() ? HEALTH_READY : HEALTH_LOADING;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    sendJsonError(res, 404, `Not found: ${req.method} ${url.split('?')[0]}. This port serves ${served} and /health.`, 'invalid_request_error', 'not_found');
  });

  return {
    server,
    inflight: () => inflight.size,
    async drain(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inflight.size > 0) {
        const allDone = new Promise<void>((resolve) => (idle = resolve));
        const timer = setTimeout(() => {
          for (const exchange of inflight) exchange.forceClose();
        }, graceMs);
        await allDone;
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

/** True when the path (before any query) has a `.` or `..` segment, also percent-encoded. */
export function hasDotSegment(requestTarget: string): boolean {
  const q = requestTarget.indexOf('?');
  const path = q === -1 ? requestTarget : requestTarget.slice(0, q);
  if (!path.includes('.') && !/%2e/i.test(path)) return false;
  return path.split('/').some((segment) => {
    const s = segment.replace(/%2e/gi, '.');
    return s === '.' || s === '..';
  });
}
