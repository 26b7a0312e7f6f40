import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { AnalyticsIndex } from '../../src/analytics/analytics-index.js';
import { MemoryAnalytics } from '../../src/analytics/memory-analytics.js';
import { NOT_PARTIAL } from '../helpers/analytics-harness.js';
import type { Analytics } from '../../src/analytics/types.js';
import { createAdminApp } from '../../src/api/admin-app.js';
import { errorBody } from '../../src/api/error-body.js';
import type { Logger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { makeFailedRecord, makeRecord, NO_SHAPE_FIELDS } from '../contract/records.js';

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 0);

interface Running {
  baseUrl: string;
  close(): Promise<void>;
}

/** An analytics index fed from the store by `scan` after the last id seen. */
function indexedStore(store: Store): { analytics: Analytics; refresh: () => Promise<void> } {
  const index = new AnalyticsIndex();
  let lastId = 0;
  const refresh = async (): Promise<void> => {
    for (;;) {
      const rows = await store.scan(lastId, 1000);
      if (rows.length === 0) return;
      index.add(rows.map((r) => r.record));
      lastId = rows[rows.length - 1]!.id;
    }
  };
  return { analytics: new MemoryAnalytics(index, store), refresh };
}

async function startAdmin(
  store: Store,
  logger: Logger,
  analytics: { analytics: Analytics; refresh: () => Promise<void> } = indexedStore(store),
): Promise<Running> {
  const app = createAdminApp({ store, logger, ...analytics });
  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
      resolve({ server: s as Server, port: info.port }),
    );
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A pino logger whose JSON lines land in `lines`. */
function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `content-type of ${url}`);
  return { status: res.status, body: await res.json() };
}

describe('admin API over a real SQLite store', () => {
  let dir: string;
  let store: ReturnType<typeof openSqliteStore>;
  let admin: Running;
  let logLines: Array<Record<string, unknown>>;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-api-'));
    store = openSqliteStore(path.join(dir, 'metrics.db'));
    await store.recordBatch([
      makeRecord({
        start_time: T0, model: 'model-a', response_model: 'model-a-v1', was_streamed: true,
        input_tokens: 10, output_tokens: 20, total_tokens: 30, cached_input_tokens: 4, ttft_ms: 50, ttlt_ms: 90, duration_ms: 100,
        tokens_per_second: 10, message_count: 2, origin: 'https://app.example', api_key_id: 'key_0123456789abcdef', user: 'alice',
        tags: { team: 'red' }, cost_usd: 0.25,
      }),
      makeFailedRecord({ start_time: T0 + 1000, model: 'model-a', duration_ms: 300 }),
      makeRecord({
        start_time: T0 + 2000, model: 'model-b', response_model: 'model-b', endpoint: '/v1/completions',
        input_tokens: 30, output_tokens: 40, total_tokens: 70, reasoning_tokens: 6, ttft_ms: null, duration_ms: 200, tokens_per_second: 20.5,
        finish_reason: 'length', cost_usd: 0.5,
      }),
    ]);
    const captured = captureLogger();
    logLines = captured.lines;
    admin = await startAdmin(store, captured.logger);
  });

  after(async () => {
    await admin.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const unattributed = {
    ...NO_SHAPE_FIELDS, cached_input_tokens: null, reasoning_tokens: null, ttlt_ms: null, message_count: null, origin: null,
    api_key_id: null, user: null, tags: {}, cost_usd: null,
  };
  const recentRows = [
    {
      ...unattributed,
      id: 3, start_time: '2024-01-15T12:00:02.000Z', method: 'POST', endpoint: '/v1/completions',
      model: 'model-b', response_model: 'model-b', status_code: 200, is_error: false, error_type: null,
      error_message: null, was_streamed: false, input_tokens: 30, output_tokens: 40, total_tokens: 70, reasoning_tokens: 6,
      usage_source: 'reported', ttft_ms: null, duration_ms: 200, tokens_per_second: 20.5, finish_reason: 'length', cost_usd: 0.5,
    },
    {
      ...unattributed,
      id: 2, start_time: '2024-01-15T12:00:01.000Z', method: 'POST', endpoint: '/v1/chat/completions',
      model: 'model-a', response_model: null, status_code: 502, is_error: true, error_type: 'upstream_status',
      error_message: 'Bad Gateway', was_streamed: false, input_tokens: null, output_tokens: null, total_tokens: null,
      usage_source: 'none', ttft_ms: null, duration_ms: 300, tokens_per_second: null, finish_reason: null,
    },
    {
      ...NO_SHAPE_FIELDS,
      id: 1, start_time: '2024-01-15T12:00:00.000Z', method: 'POST', endpoint: '/v1/chat/completions',
      model: 'model-a', response_model: 'model-a-v1', status_code: 200, is_error: false, error_type: null,
      error_message: null, was_streamed: true, input_tokens: 10, output_tokens: 20, total_tokens: 30,
      cached_input_tokens: 4, reasoning_tokens: null, usage_source: 'reported', ttft_ms: 50, ttlt_ms: 90, duration_ms: 100,
      tokens_per_second: 10, finish_reason: 'stop', message_count: 2, origin: 'https://app.example',
      api_key_id: 'key_0123456789abcdef', user: 'alice', tags: { team: 'red' }, cost_usd: 0.25,
    },
  ];
  const cursorOf = (row: { start_time: string; id: number }): string =>
    Buffer.from(`${Date.parse(row.start_time)}:${row.id}`).toString('base64url');

  it('GET /health', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/health`), {
      status: 200,
      body: { status: 'ok', service: 'llm-metrics-proxy-admin' },
    });
  });

  it('GET /stats/summary', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/summary`), {
      status: 200,
      body: {
        total_requests: 3,
        successful_requests: 2,
        failed_requests: 1,
        total_input_tokens: 40,
        total_output_tokens: 60,
        total_tokens: 100,
        average_input_tokens: 20,
        average_output_tokens: 30,
        total_duration_ms: 600,
        requests_with_usage: 2,
        streamed_requests: 1,
        average_duration_ms: 200,
        average_ttft_ms: 50,
        average_tokens_per_second: 15.25,
        cached_input_tokens: 4,
        reasoning_tokens: 6,
        cost_usd: 0.75,
        priced_requests: 2,
        duration_ms: { avg: 200, p50: 200, p95: 300, p99: 300 },
        ttft_ms: { avg: 50, p50: 50, p95: 50, p99: 50 },
        tokens_per_second: { avg: 15.25, p50: 10, p95: 20.5, p99: 20.5 },
        first_request_at: '2024-01-15T12:00:00.000Z',
        last_request_at: '2024-01-15T12:00:02.000Z',
        ...NOT_PARTIAL,
      },
    });
  });

  it('GET /stats/by-model', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/by-model`), {
      status: 200,
      body: {
        models: [
          {
            model: 'model-a', requests: 2, successful_requests: 1, failed_requests: 1, errors: 1,
            input_tokens: 10, output_tokens: 20, total_tokens: 30, cached_input_tokens: 4, reasoning_tokens: 0,
            avg_tokens_per_request: 30, requests_with_usage: 1, cost_usd: 0.25, priced_requests: 1,
            avg_duration_ms: 200, avg_ttft_ms: 50, avg_tokens_per_second: 10,
            duration_ms: { avg: 200, p50: 100, p95: 300, p99: 300 },
            ttft_ms: { avg: 50, p50: 50, p95: 50, p99: 50 },
          },
          {
            model: 'model-b', requests: 1, successful_requests: 1, failed_requests: 0, errors: 0,
            input_tokens: 30, output_tokens: 40, total_tokens: 70, cached_input_tokens: 0, reasoning_tokens: 6,
            avg_tokens_per_request: 70, requests_with_usage: 1, cost_usd: 0.5, priced_requests: 1,
            avg_duration_ms: 200, avg_ttft_ms: null, avg_tokens_per_second: 20.5,
            duration_ms: { avg: 200, p50: 200, p95: 200, p99: 200 },
            ttft_ms: { avg: null, p50: null, p95: null, p99: null },
          },
        ],
        ...NOT_PARTIAL,
      },
    });
  });

  it('GET /stats/by-key, /stats/by-user, /stats/by-endpoint name their key field', async () => {
    const keys = (await getJson(`${admin.baseUrl}/stats/by-key`)).body as { keys: Array<{ api_key_id: string | null; requests: number }> };
    assert.deepEqual(keys.keys.map((k) => [k.api_key_id, k.requests]), [[null, 2], ['key_0123456789abcdef', 1]]);
    const users = (await getJson(`${admin.baseUrl}/stats/by-user`)).body as { users: Array<{ user: string | null; requests: number }> };
    assert.deepEqual(users.users.map((u) => [u.user, u.requests]), [[null, 2], ['alice', 1]]);
    const endpoints = (await getJson(`${admin.baseUrl}/stats/by-endpoint`)).body as { endpoints: Array<{ endpoint: string; requests: number }> };
    assert.deepEqual(endpoints.endpoints.map((e) => [e.endpoint, e.requests]), [['/v1/chat/completions', 2], ['/v1/completions', 1]]);
  });

  it('GET /stats/recent defaults to 100 rows, newest first, every stored field', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent`), {
      status: 200,
      body: { requests: recentRows, next_cursor: null, ...NOT_PARTIAL },
    });
  });

  for (const [limit, count] of [['1', 1], ['2', 2], ['1000', 3], ['0003', 3]] as const) {
    it(`GET /stats/recent?limit=${limit}`, async () => {
      const requests = recentRows.slice(0, count);
      assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent?limit=${limit}`), {
        status: 200,
        body: { requests, next_cursor: count < 3 ? cursorOf(requests[count - 1]!) : null, ...NOT_PARTIAL },
      });
    });
  }

  it('GET /stats/recent?cursor= continues after the cursor row', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent?limit=1&cursor=${cursorOf(recentRows[0]!)}`), {
      status: 200,
      body: { requests: [recentRows[1]], next_cursor: cursorOf(recentRows[1]!), ...NOT_PARTIAL },
    });
  });

  it('GET /stats/requests/:id', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/requests/1`), { status: 200, body: recentRows[2] });
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/requests/4`), {
      status: 404,
      body: errorBody('no request with id 4', 'invalid_request_error', 'not_found', 'id'),
    });
  });

  for (const bad of ['0', '1001', 'abc', '2.5', '-5', '', '1e2', '+5', ' 5', '0x10', '99999999999999999999']) {
    it(`GET /stats/recent?limit=${JSON.stringify(bad)} → 400`, async () => {
      assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent?limit=${encodeURIComponent(bad)}`), {
        status: 400,
        body: {
          error: {
            message: `limit must be an integer from 1 to 1000, got ${JSON.stringify(bad)}`,
            type: 'invalid_request_error',
            code: 'invalid_parameter',
            param: 'limit',
          },
        },
      });
    });
  }

  it('the 400 body for limit=abc is exactly the documented JSON', async () => {
    const res = await fetch(`${admin.baseUrl}/stats/recent?limit=abc`);
    assert.equal(res.status, 400);
    assert.equal(
      await res.text(),
      '{"error":{"message":"limit must be an integer from 1 to 1000, got \\"abc\\"","type":"invalid_request_error","code":"invalid_parameter","param":"limit"}}',
    );
  });

  for (const [method, route] of [
    ['GET', '/nope'], ['GET', '/stats'], ['GET', '/stats/summary/extra'], ['POST', '/health'], ['POST', '/stats/summary'],
    ['GET', '/stats/requests'], ['DELETE', '/metrics'],
  ] as const) {
    it(`${method} ${route} → 404 JSON`, async () => {
      assert.deepEqual(await getJson(`${admin.baseUrl}${route}`, { method }), {
        status: 404,
        body: errorBody(`no route for ${method} ${route}`, 'invalid_request_error', 'not_found'),
      });
    });
  }

  it('logged no errors for all of the above', () => {
    assert.deepEqual(logLines.filter((l) => (l.level as number) >= 50), []);
  });
});

describe('admin API when the store or the analytics fail', () => {
  const boom = (): Promise<never> => Promise.reject(new Error('disk on fire'));
  const failingStore: Store = {
    recordBatch: boom,
    recent: boom,
    getRequest: boom,
    scan: boom,
    scanForIndex: boom,
    estimateRequests: boom,
    loadHistory: boom,
    dailyUsage: boom,
    usageSpan: boom,
    retention: boom,
    pruneRequests: boom,
    pruneUsage: boom,
    reclaimSpace: boom,
    close: async () => {},
  };
  const internalError = errorBody('internal error while handling the request', 'server_error', 'internal_error');
  const routes = [
    '/stats/summary', '/stats/by-model', '/stats/by-key', '/stats/by-user', '/stats/by-endpoint', '/stats/timeseries',
    '/stats/recent', '/stats/recent?limit=5', '/stats/requests/1', '/metrics', '/completion_requests',
  ];

  let admin: Running;
  let logLines: Array<Record<string, unknown>>;

  before(async () => {
    const captured = captureLogger();
    logLines = captured.lines;
    admin = await startAdmin(failingStore, captured.logger);
  });
  after(() => admin.close());

  for (const route of routes) {
    it(`GET ${route} → 500 JSON, error logged`, async () => {
      const before = logLines.length;
      assert.deepEqual(await getJson(`${admin.baseUrl}${route}`), { status: 500, body: internalError });
      const logged = logLines.slice(before);
      assert.equal(logged.length, 1);
      const line = logged[0] as { level: number; msg: string; path: string; err: { message: string; stack: string } };
      assert.equal(line.level, 50);
      assert.equal(line.msg, 'admin request failed');
      assert.equal(line.path, route.split('?')[0]);
      assert.equal(line.err.message, 'disk on fire');
      assert.ok(line.err.stack.includes('disk on fire'));
    });
  }

  it('still validates parameters before touching the store, and /health still answers', async () => {
    const before = logLines.length;
    for (const route of ['/stats/recent?limit=0', '/stats/summary?start=yesterday', '/stats/requests/x', '/metrics?status=no']) {
      assert.equal((await getJson(`${admin.baseUrl}${route}`)).status, 400, route);
    }
    assert.equal(logLines.length, before, 'a 400 is not logged as an error');
    assert.deepEqual(await getJson(`${admin.baseUrl}/health`), {
      status: 200,
      body: { status: 'ok', service: 'llm-metrics-proxy-admin' },
    });
  });

  it('an analytics query that throws gives 500 JSON too', async () => {
    const throwing = (): never => {
      throw new Error('index corrupt');
    };
    const analytics: Analytics = {
      aggregate: throwing, groupBy: throwing, timeseries: throwing, completionOverview: throwing, timeSpan: throwing, usage: throwing, retainedFrom: throwing,
    };
    const captured = captureLogger();
    const running = await startAdmin(failingStore, captured.logger, { analytics, refresh: async () => {} });
    try {
      for (const route of ['/stats/summary', '/stats/by-user', '/stats/timeseries', '/metrics']) {
        assert.deepEqual(await getJson(`${running.baseUrl}${route}`), { status: 500, body: internalError });
      }
      assert.deepEqual(captured.lines.map((l) => (l.err as { message: string }).message), Array(4).fill('index corrupt'));
    } finally {
      await running.close();
    }
  });

  it('a closed SQLite store gives 500 JSON too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-api-closed-'));
    const closed = openSqliteStore(path.join(dir, 'metrics.db'));
    await closed.close();
    const captured = captureLogger();
    const running = await startAdmin(closed, captured.logger);
    try {
      for (const route of ['/stats/summary', '/stats/by-model', '/stats/recent', '/stats/requests/1', '/metrics', '/completion_requests']) {
        assert.deepEqual(await getJson(`${running.baseUrl}${route}`), { status: 500, body: internalError });
      }
      assert.equal(captured.lines.length, 6);
    } finally {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errorBody', () => {
  it('omits param when not given', () => {
    assert.deepEqual(errorBody('m', 't', 'c'), { error: { message: 'm', type: 't', code: 'c' } });
    assert.equal(JSON.stringify(errorBody('m', 't', 'c')), '{"error":{"message":"m","type":"t","code":"c"}}');
  });
  it('includes param when given', () => {
    assert.deepEqual(errorBody('m', 't', 'c', 'p'), { error: { message: 'm', type: 't', code: 'c', param: 'p' } });
  });
});
