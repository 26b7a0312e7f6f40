import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { startFakeUpstream, sendJson, sleep, type FakeUpstream } from '../helpers/fake-upstream.js';
import { spawnService, type ChildExit, type ChildService } from '../helpers/child-service.js';
import { chatChunk, chatCompletion, usageChunk } from '../helpers/chunks.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { StoredRequest } from '../../src/domain/request-record.js';

/** SIGTERM on the real CLI: in-flight requests finish (or are cut at the grace period), rows are kept, exit 0. */

interface StreamResult {
  status: number;
  body: string;
  /** The response ended cleanly with its last byte. */
  complete: boolean;
  /** 'end', or what reported the cut. */
  endedBy: string;
  /** performance.now() when the response ended or was cut. */
  endedAt: number;
}

interface OpenStream {
  /** Resolves when the first body bytes arrived. */
  readonly firstBytes: Promise<void>;
  readonly result: Promise<StreamResult>;
}

/** A streaming POST on its own connection; never rejects for a cut (that is the result). */
function openStream(url: string, body: string): OpenStream {
  let firstBytes!: () => void;
  const first = new Promise<void>((resolve) => (firstBytes = resolve));
  const result = new Promise<StreamResult>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, timeout: 15_000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      let endedBy: string | null = null;
      res.setEncoding('utf8');
      const done = (how: string): void => {
        if (endedBy !== null) return;
        endedBy = how;
        resolve({ status: res.statusCode as number, body: text, complete: res.complete, endedBy: how, endedAt: performance.now() });
      };
      res.on('data', (s: string) => {
        text += s;
        firstBytes();
      });
      res.on('end', () => done('end'));
      res.on('aborted', () => done('aborted'));
      res.on('error', (err) => done(`error: ${err.message}`));
      res.on('close', () => done('close'));
    });
    req.on('timeout', () => req.destroy(new Error('stream: nothing for 15 s')));
    req.on('error', reject);
    req.end(body);
  });
  // A request error before any body must fail the first-bytes wait too.
  return { firstBytes: Promise.race([first, result.then(() => undefined)]), result };
}

/** Tries a fresh TCP connection; resolves with the error code ('connected' if it was accepted). */
function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** Resolves with the exit, or rejects after `ms`. */
function exitWithin(exited: Promise<ChildExit>, ms: number): Promise<ChildExit & { afterMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`process still running ${ms} ms after SIGTERM`)), ms)));
  return Promise.race([exited.then((e) => ({ ...e, afterMs: performance.now() - started })), limit]).finally(() => clearTimeout(timer));
}

async function readRows(dbPath: string): Promise<StoredRequest[]> {
  const store = openSqliteStore(dbPath);
  try {
    return (await store.recent({ filter: {}, limit: 1000 })).reverse();
  } finally {
    await store.close();
  }
}

const SLOW_CHUNKS = 10;
const slowText = Array.from({ length: SLOW_CHUNKS }, (_, k) => `w${k} `).join('');

describe('lifecycle: SIGTERM with requests in flight', () => {
  let upstream: FakeUpstream;
  let child: ChildService;
  let stream: OpenStream;
  let inflightQuick: Promise<unknown>[];
  let sigtermAt: number;
  let stoppingLog: Record<string, unknown>;
  let exit: Promise<ChildExit & { afterMs: number }>;

  before(async () => {
    let quickArrived = 0;
    let allQuickArrived!: () => void;
    const quickHere = new Promise<void>((resolve) => (allQuickArrived = resolve));
    upstream = await startFakeUpstream(async (_req, res, body) => {
      const { model } = JSON.parse(body.toString()) as { model: string };
      if (model === 'slow') {
        // ~1 s in all: a content chunk every 100 ms, then usage and [DONE].
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.flushHeaders();
        for (let k = 0; k < SLOW_CHUNKS; k++) {
          res.write(`data: ${chatChunk({ content: `w${k} ` }, k === SLOW_CHUNKS - 1 ? 'stop' : null, model)}\n\n`);
          await sleep(100);
        }
        res.write(`data: ${usageChunk(11, SLOW_CHUNKS, model)}\n\n`);
        res.end('data: [DONE]\n\n');
        return;
      }
      if (model.startsWith('inflight-')) {
        if (++quickArrived === 3) allQuickArrived();
        await sleep(300);
      }
      sendJson(res, 200, chatCompletion(`answer ${model}`, 5, 2, model));
    });
    child = await spawnService(['--upstream', upstream.url]);

    stream = openStream(`${child.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'slow', stream: true, messages: [] }));
    await stream.firstBytes;

    const client = new OpenAI({ baseURL: `${child.proxyUrl}/v1`, apiKey: 'sk-test', maxRetries: 0, timeout: 15_000 });
    for (let q = 1; q <= 3; q++) {
      const r = await client.chat.completions.create({ model: `done-${q}`, messages: [{ role: 'user', content: 'hi' }] });
      assert.equal(r.choices[0]?.message.content, `answer done-${q}`);
    }
    inflightQuick = [1, 2, 3].map((q) =>
      client.chat.completions.create({ model: `inflight-${q}`, messages: [{ role: 'user', content: 'hi' }] }).then(
        (r) => r.choices[0]?.message.content,
        (err: unknown) => err,
      ),
    );
    await quickHere; // all three are at the upstream: in flight at the proxy

    sigtermAt = performance.now();
    assert.equal(child.child.kill('SIGTERM'), true);
    exit = exitWithin(child.exited, 10_000);
    exit.catch(() => undefined); // asserted in its own test
    stoppingLog = await child.waitForLog('stopping', 5000);
  });

  after(async () => {
    await child?.dispose();
    await upstream?.close();
  });

  it('shutdown starts with the stream and the three quick requests in flight', () => {
    assert.equal(stoppingLog.inflight, 4);
    assert.equal(stoppingLog.graceMs, 5000);
  });

  it('new connections to the proxy and admin ports are refused once shutdown has begun', async () => {
    // The listeners close in the same tick as the "stopping" line; leave that tick time to finish.
    await sleep(50);
    const [proxy, admin] = await Promise.all([tryConnect(child.proxyUrl), tryConnect(child.adminUrl)]);
    assert.equal(proxy, 'ECONNREFUSED');
    assert.equal(admin, 'ECONNREFUSED');
    // The stream is still running while those were refused.
    assert.equal(await Promise.race([stream.result.then(() => 'ended'), sleep(0).then(() => 'running')]), 'running');
  });

  it('the in-flight stream still completes for the client, every chunk and [DONE]', { timeout: 15_000 }, async () => {
    const result = await stream.result;
    assert.equal(result.status, 200);
    assert.equal(result.endedBy, 'end');
    assert.equal(result.complete, true);
    const events = result.body.split('\n\n').filter((e) => e !== '');
    assert.equal(events.length, SLOW_CHUNKS + 2);
    assert.equal(events.at(-1), 'data: [DONE]');
    const text = events
      .slice(0, SLOW_CHUNKS)
      .map((e) => (JSON.parse(e.slice('data: '.length)) as { choices: { delta: { content: string } }[] }).choices[0]?.delta.content)
      .join('');
    assert.equal(text, slowText);
    assert.ok(result.endedAt > sigtermAt, 'the stream ended after SIGTERM');
  });

  it('the quick requests in flight at SIGTERM get their answers', { timeout: 15_000 }, async () => {
    assert.deepEqual(await Promise.all(inflightQuick), ['answer inflight-1', 'answer inflight-2', 'answer inflight-3']);
  });

  it('the process exits with code 0 within 10 s of SIGTERM', { timeout: 15_000 }, async () => {
    const { code, signal, afterMs } = await exit;
    assert.equal(signal, null);
    assert.equal(code, 0, `stderr: ${child.stderr()}`);
    assert.ok(afterMs < 10_000);
    assert.equal(child.stderr(), '');
    assert.ok(child.logs.some((l) => l.msg === 'stopped'), 'logged "stopped"');
  });

  it('the database holds one complete row for every request', { timeout: 15_000 }, async () => {
    await exit.catch(() => undefined);
    const rows = await readRows(child.dbPath);
    const byModel = new Map(rows.map((r) => [r.model, r]));
    assert.equal(rows.length, 7);
    assert.deepEqual([...byModel.keys()].sort(), ['done-1', 'done-2', 'done-3', 'inflight-1', 'inflight-2', 'inflight-3', 'slow']);
    for (const row of rows) {
      assert.equal(row.status_code, 200, `${row.model} status`);
      assert.equal(row.is_error, false, `${row.model} is_error`);
      assert.equal(row.error_type, null, `${row.model} error_type`);
    }
    const slow = byModel.get('slow');
    assert.ok(slow);
    assert.equal(slow.was_streamed, true);
    assert.equal(slow.input_tokens, 11);
    assert.equal(slow.output_tokens, SLOW_CHUNKS);
    assert.equal(slow.finish_reason, 'stop');
    assert.equal(typeof slow.ttft_ms, 'number');
    assert.ok(slow.duration_ms >= 900, `slow duration_ms ${slow.duration_ms}`);
    for (const q of ['inflight-1', 'inflight-2', 'inflight-3']) {
      assert.equal(byModel.get(q)?.input_tokens, 5);
      assert.equal(byModel.get(q)?.output_tokens, 2);
    }
  });
});

describe('lifecycle: SIGTERM with a stream longer than SHUTDOWN_TIMEOUT_MS', () => {
  const GRACE_MS = 300;
  let upstream: FakeUpstream;
  let child: ChildService;
  let stream: OpenStream;
  let sigtermAt: number;
  let upstreamClosed: Promise<{ finished: boolean; at: number }>;
  let exit: Promise<ChildExit & { afterMs: number }>;

  before(async () => {
    let closedAt!: (v: { finished: boolean; at: number }) => void;
    upstreamClosed = new Promise((resolve) => (closedAt = resolve));
    upstream = await startFakeUpstream(async (_req, res, body) => {
      const { model } = JSON.parse(body.toString()) as { model: string };
      let closed = false;
      res.once('close', () => {
        closed = true;
        closedAt({ finished: res.writableFinished, at: performance.now() });
      });
      // 5 s: a content chunk every 50 ms.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      for (let k = 0; k < 100 && !closed; k++) {
        res.write(`data: ${chatChunk({ content: `w${k} ` }, null, model)}\n\n`);
        await sleep(50);
      }
      if (!closed) res.end('data: [DONE]\n\n');
    });
    child = await spawnService(['--upstream', upstream.url, '--shutdown-timeout-ms', String(GRACE_MS)]);
    stream = openStream(`${child.proxyUrl}/v1/chat/completions`, JSON.stringify({ model: 'endless', stream: true, messages: [] }));
    await stream.firstBytes;
    await sleep(100);
    sigtermAt = performance.now();
    assert.equal(child.child.kill('SIGTERM'), true);
    exit = exitWithin(child.exited, 10_000);
    exit.catch(() => undefined); // asserted in its own test
  });

  after(async () => {
    await child?.dispose();
    await upstream?.close();
  });

  it('the stream is cut at the grace period, not finished and not left running', { timeout: 15_000 }, async () => {
    const result = await stream.result;
    const cutAfter = result.endedAt - sigtermAt;
    assert.equal(result.status, 200);
    assert.notEqual(result.endedBy, 'end', 'the client must see the stream cut, not a clean end');
    assert.equal(result.complete, false);
    assert.ok(!result.body.includes('[DONE]'));
    assert.ok(cutAfter >= GRACE_MS - 20, `cut ${cutAfter} ms after SIGTERM, before the ${GRACE_MS} ms grace period`);
    assert.ok(cutAfter < GRACE_MS + 2000, `cut only ${cutAfter} ms after SIGTERM`);
  });

  it('the upstream request is aborted too', { timeout: 15_000 }, async () => {
    const { finished, at } = await upstreamClosed;
    assert.equal(finished, false);
    assert.ok(at - sigtermAt < GRACE_MS + 2000, `upstream closed ${at - sigtermAt} ms after SIGTERM`);
  });

  it('the process exits with code 0', { timeout: 15_000 }, async () => {
    const { code, signal } = await exit;
    assert.equal(signal, null);
    assert.equal(code, 0, `stderr: ${child.stderr()}`);
  });

  it('the cut stream is recorded with error_type shutdown, status 200 and its ttft', { timeout: 15_000 }, async () => {
    await exit.catch(() => undefined);
    const rows = await readRows(child.dbPath);
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row);
    assert.equal(row.model, 'endless');
    assert.equal(row.is_error, true);
    assert.equal(row.error_type, 'shutdown');
    assert.equal(row.error_message, 'service stopped before the request finished');
    assert.equal(row.status_code, 200);
    assert.equal(row.was_streamed, true);
    assert.equal(typeof row.ttft_ms, 'number');
    assert.ok(row.duration_ms < 5000, `duration_ms ${row.duration_ms}`);
  });
});
