import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { pino } from 'pino';
import { createAdminApp } from '../../src/api/admin-app.js';
import { errorBody } from '../../src/api/error-body.js';
import type { Logger } from '../../src/logger.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/types.js';
import { makeFailedRecord, makeRecord } from '../contract/records.js';

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 0);

interface Running {
  baseUrl: string;
  close(): Promise<void>;
}

async function startAdmin(store: Store, logger: Logger): Promise<Running> {
  const app = createAdminApp({ store, logger });
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
        input_tokens: 10, output_tokens: 20, total_tokens: 30, ttft_ms: 50, duration_ms: 100, tokens_per_second: 10,
      }),
      makeFailedRecord({ start_time: T0 + 1000, model: 'model-a', duration_ms: 300 }),
      makeRecord({
        start_time: T0 + 2000, model: 'model-b', response_model: 'model-b', endpoint: '/v1/completions',
        input_tokens: 30, output_tokens: 40, total_tokens: 70, ttft_ms: null, duration_ms: 200, tokens_per_second: 20.5,
        finish_reason: 'length',
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

  const recentRows = [
    {
      id: 3, start_time: '2024-01-15T12:00:02.000Z', method: 'POST', endpoint: '/v1/completions',
      model: 'model-b', response_model: 'model-b', status_code: 200, is_error: false, error_type: null,
      error_message: null, was_streamed: false, input_tokens: 30, output_tokens: 40, total_tokens: 70,
      usage_source: 'reported', ttft_ms: null, duration_ms: 200, tokens_per_second: 20.5, finish_reason: 'length',
    },
    {
      id: 2, start_time: '2024-01-15T12:00:01.000Z', method: 'POST', endpoint: '/v1/chat/completions',
      model: 'model-a', response_model: null, status_code: 502, is_error: true, error_type: 'upstream_status',
      error_message: 'Bad Gateway', was_streamed: false, input_tokens: null, output_tokens: null, total_tokens: null,
      usage_source: 'none', ttft_ms: null, duration_ms: 300, tokens_per_second: null, finish_reason: null,
    },
    {
      id: 1, start_time: '2024-01-15T12:00:00.000Z', method: 'POST', endpoint: '/v1/chat/completions',
      model: 'model-a', response_model: 'model-a-v1', status_code: 200, is_error: false, error_type: null,
      error_message: null, was_streamed: true, input_tokens: 10, output_tokens: 20, total_tokens: 30,
      usage_source: 'reported', ttft_ms: 50, duration_ms: 100, tokens_per_second: 10, finish_reason: 'stop',
    },
  ];

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
      },
    });
  });

  it('GET /stats/by-model', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/by-model`), {
      status: 200,
      body: {
        models: [
          {
            model: 'model-a', requests: 2, successful_requests: 1, failed_requests: 1,
            input_tokens: 10, output_tokens: 20, total_tokens: 30, avg_tokens_per_request: 30, requests_with_usage: 1,
            avg_duration_ms: 200, avg_ttft_ms: 50, avg_tokens_per_second: 10,
          },
          {
            model: 'model-b', requests: 1, successful_requests: 1, failed_requests: 0,
            input_tokens: 30, output_tokens: 40, total_tokens: 70, avg_tokens_per_request: 70, requests_with_usage: 1,
            avg_duration_ms: 200, avg_ttft_ms: null, avg_tokens_per_second: 20.5,
          },
        ],
      },
    });
  });

  it('GET /stats/recent defaults to 100 rows, newest first', async () => {
    assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent`), { status: 200, body: { requests: recentRows } });
  });

  for (const [limit, count] of [['1', 1], ['2', 2], ['1000', 3], ['0003', 3]] as const) {
    it(`GET /stats/recent?limit=${limit}`, async () => {
      assert.deepEqual(await getJson(`${admin.baseUrl}/stats/recent?limit=${limit}`), {
        status: 200,
        body: { requests: recentRows.slice(0, count) },
      });
    });
  }

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

  for (const [method, route] of [['GET', '/nope'], ['GET', '/stats'], ['GET', '/stats/summary/extra'], ['POST', '/health']] as const) {
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

describe('admin API when the store fails', () => {
  const boom = (): Promise<never> => Promise.reject(new Error('disk on fire'));
  const failingStore: Store = {
    recordBatch: boom,
    summary: boom,
    byModel: boom,
    recent: boom,
    close: async () => {},
  };
  const internalError = errorBody('internal error while handling the request', 'server_error', 'internal_error');

  let admin: Running;
  let logLines: Array<Record<string, unknown>>;

  before(async () => {
    const captured = captureLogger();
    logLines = captured.lines;
    admin = await startAdmin(failingStore, captured.logger);
  });
  after(() => admin.close());

  for (const route of ['/stats/summary', '/stats/by-model', '/stats/recent', '/stats/recent?limit=5']) {
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

  it('still validates limit before touching the store, and /health still answers', async () => {
    assert.equal((await getJson(`${admin.baseUrl}/stats/recent?limit=0`)).status, 400);
    assert.deepEqual(await getJson(`${admin.baseUrl}/health`), {
      status: 200,
      body: { status: 'ok', service: 'llm-metrics-proxy-admin' },
    });
  });

  it('a closed SQLite store gives 500 JSON too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-api-closed-'));
    const closed = openSqliteStore(path.join(dir, 'metrics.db'));
    await closed.close();
    const captured = captureLogger();
    const running = await startAdmin(closed, captured.logger);
    try {
      for (const route of ['/stats/summary', '/stats/by-model', '/stats/recent']) {
        assert.deepEqual(await getJson(`${running.baseUrl}${route}`), { status: 500, body: internalError });
      }
      assert.equal(captured.lines.length, 3);
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
