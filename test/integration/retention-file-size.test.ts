/**
 * The database file does not grow without bound under steady traffic: with RETENTION_DAYS the
 * pages the daily prune frees are reused by the next day's rows, so the file levels off once the
 * retention window is full; without retention it keeps growing with the traffic. Days are
 * simulated with the Pruner's injected clock; rows go through the real SQLite store in 1000-row
 * batches as the recorder writes them.
 *
 * Sizes are measured after `PRAGMA wal_checkpoint(TRUNCATE)` from a second connection (what a
 * restart or an idle period leaves: every committed page in the main file, an empty -wal), as
 * main file + -wal in bytes.
 *
 * Also: a new database is created with `auto_vacuum = INCREMENTAL`, and shortening retention a
 * lot (10 days → 1 on the full file) lets `reclaimSpace` give the freed pages back to the file
 * system. Rows per day are 2000 rather than 3000 so the file (two 40-day runs) stays within ~30 s
 * on a busy 2-core machine.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { DAY_MS } from '../../src/domain/usage.js';
import { createLogger } from '../../src/logger.js';
import { openStore } from '../../src/store/open-store.js';
import { Pruner } from '../../src/store/pruner.js';
import type { Store } from '../../src/store/types.js';
import { prng } from '../helpers/prng.js';

const logger = createLogger('silent');
const ROWS_PER_DAY = 2000;
const BATCH = 1000;
/** Monday 2025-02-03. */
const DAY0 = Date.UTC(2025, 1, 3);

const MODELS = ['llama3.1:8b-instruct-q4_K_M', 'qwen2.5-coder:14b', 'gpt-4o-mini-2024-07-18'];
const ENDPOINTS = ['/v1/chat/completions', '/v1/chat/completions', '/v1/chat/completions', '/v1/embeddings', '/v1/responses'];
const TEAMS = ['search', 'support-bot', 'data-platform', 'mobile'];
/** A small team's users, each with their own key. */
const USERS = Array.from({ length: 12 }, (_, i) => ({ user: `user${i}@example.com`, key: `key_${(0x1000_0000_0000_0000n + BigInt(i) * 0x1111_1111n).toString(16)}` }));

/** Rows of one simulated day, with the string fields a real proxy stores. */
function dayOfTraffic(rand: () => number, day: number): RequestRecord[] {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
  const hex = (n: number): string => {
    let s = '';
    while (s.length < n) s += Math.floor(rand() * 0x1_0000_0000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  };
  const rows: RequestRecord[] = [];
  for (let i = 0; i < ROWS_PER_DAY; i++) {
    const endpoint = pick(ENDPOINTS);
    const model = pick(MODELS);
    const who = pick(USERS);
    const streamed = endpoint !== '/v1/embeddings' && rand() < 0.6;
    const isError = rand() < 0.03;
    const input = isError ? null : 20 + Math.floor(rand() * 4000);
    const output = isError ? null : endpoint === '/v1/embeddings' ? 0 : Math.floor(rand() * 1200);
    const ttft = streamed && !isError ? Math.round(rand() * 900_000) / 1000 : null;
    rows.push({
      start_time: day + Math.floor((i / ROWS_PER_DAY) * DAY_MS),
      method: 'POST',
      endpoint,
      model,
      response_model: model,
      status_code: isError ? pick([429, 500, 503]) : 200,
      is_error: isError,
      error_type: isError ? 'upstream_status' : null,
      error_message: isError ? `Rate limit reached for ${model} in organization org-${hex(24)} on tokens per min (TPM): Limit 200000, Used 199${Math.floor(rand() * 1000)}` : null,
      was_streamed: streamed,
      input_tokens: input,
      output_tokens: output,
      total_tokens: input === null || output === null ? null : input + output,
      cached_input_tokens: input !== null && rand() < 0.4 ? Math.floor(input / 2) : null,
      reasoning_tokens: null,
      usage_source: isError ? 'none' : 'reported',
      ttft_ms: ttft,
      ttlt_ms: ttft === null ? null : Math.round(ttft * 1000 + rand() * 8_000_000) / 1000,
      duration_ms: Math.round(rand() * 10_000_000) / 1000,
      tokens_per_second: output !== null && output > 0 ? Math.round(rand() * 120_000) / 1000 : null,
      finish_reason: isError ? null : pick(['stop', 'stop', 'stop', 'length', 'tool_calls']),
      message_count: endpoint === '/v1/embeddings' ? null : 1 + Math.floor(rand() * 30),
      origin: rand() < 0.3 ? 'https://chat.internal.example.com' : null,
      api_key_id: who.key,
      user: who.user,
      tags: { team: pick(TEAMS), env: rand() < 0.8 ? 'production' : 'staging', request_id: `req_${hex(24)}` },
      cost_usd: model.startsWith('gpt-') && input !== null && output !== null ? (input * 0.15 + output * 0.6) / 1e6 : null,
      tool_calls: rand() < 0.1 ? 1 + Math.floor(rand() * 3) : null,
      backend_prompt_ms: rand() < 0.5 ? Math.round(rand() * 300_000) / 1000 : null,
      backend_generation_ms: rand() < 0.5 ? Math.round(rand() * 6_000_000) / 1000 : null,
    });
  }
  return rows;
}

interface Db {
  readonly dir: string;
  readonly dbPath: string;
  readonly store: Store;
  /** Bytes of the main file + -wal after a TRUNCATE checkpoint from a second connection. */
  size(): number;
  pragma(name: string): number;
  close(): Promise<void>;
}

function openDb(prefix: string): Db {
  return openDbAt(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** The store on `dir`/metrics.db, and a second connection to measure it. */
function openDbAt(dir: string): Db {
  const dbPath = path.join(dir, 'metrics.db');
  const store = openStore({ dbPath });
  const probe = new Database(dbPath);
  const fileSize = (p: string): number => (fs.existsSync(p) ? fs.statSync(p).size : 0);
  return {
    dir,
    dbPath,
    store,
    size() {
      const [result] = probe.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      assert.equal(result?.busy, 0, 'the checkpoint was not blocked');
      return fileSize(dbPath) + fileSize(`${dbPath}-wal`);
    },
    pragma: (name) => probe.pragma(name, { simple: true }) as number,
    async close() {
      probe.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `days` simulated days of traffic; after each, a retention pass at the end of the day (when `retentionDays` > 0). Returns the size after each day. */
async function simulate(db: Db, days: number, retentionDays: number, seed: number): Promise<number[]> {
  let clock = DAY0;
  const pruner = new Pruner({ store: db.store, retentionDays, usageRetentionDays: 0, logger, now: () => clock });
  const rand = prng(seed);
  const sizes: number[] = [];
  for (let d = 0; d < days; d++) {
    const rows = dayOfTraffic(rand, DAY0 + d * DAY_MS);
    for (let i = 0; i < rows.length; i += BATCH) await db.store.recordBatch(rows.slice(i, i + BATCH));
    clock = DAY0 + (d + 1) * DAY_MS;
    if (retentionDays > 0) await pruner.runOnce();
    sizes.push(db.size());
  }
  return sizes;
}

const mib = (bytes: number): string => (bytes / 1048576).toFixed(2);
const series = (sizes: readonly number[]): string => sizes.map((s, i) => `d${i + 1}=${mib(s)}`).join(' ');

describe('retention: database file size under steady traffic', () => {
  const DAYS = 40;
  const RETENTION_DAYS = 10;
  let retained: Db;
  let control: Db;

  before(() => {
    retained = openDb('lmp-size-retained-');
    control = openDb('lmp-size-control-');
  });
  after(async () => {
    await retained?.close();
    await control?.close();
  });

  it('a new database uses auto_vacuum = INCREMENTAL', () => {
    assert.equal(retained.pragma('auto_vacuum'), 2, 'PRAGMA auto_vacuum: 2 = INCREMENTAL');
  });

  it(`levels off with ${RETENTION_DAYS}-day retention (day 40 within 15 % of day 20), while without retention it keeps growing`, { timeout: 60_000 }, async () => {
    const withRetention = await simulate(retained, DAYS, RETENTION_DAYS, 1);
    const rows = (await retained.store.scan(0, 100_000)).length;
    console.log(`[file-size] ${RETENTION_DAYS}-day retention, ${ROWS_PER_DAY} rows/day, MiB after each day (main + wal, after a TRUNCATE checkpoint): ${series(withRetention)}`);
    assert.equal(rows, RETENTION_DAYS * ROWS_PER_DAY, 'exactly the retention window of rows is kept');
    const without = await simulate(control, DAYS, 0, 1);
    console.log(`[file-size] no retention: ${series(without)}`);
    const at = (s: readonly number[], day: number): number => s[day - 1]!;
    const steady = at(withRetention, 40) / at(withRetention, 20);
    const growing = at(without, 40) / at(without, 20);
    console.log(`[file-size] day 40 ÷ day 20: with retention ${steady.toFixed(3)}, without ${growing.toFixed(3)}; freelist pages at the end: ${retained.pragma('freelist_count')} of ${retained.pragma('page_count')}`);
    assert.ok(Math.abs(steady - 1) <= 0.15, `with retention the file went from ${mib(at(withRetention, 20))} MiB (day 20) to ${mib(at(withRetention, 40))} MiB (day 40)`);
    assert.ok(growing >= 1.6, `without retention the file should keep growing: ${mib(at(without, 20))} → ${mib(at(without, 40))} MiB`);
    // It levelled off at about the size of the window, not of everything ever written.
    assert.ok(at(withRetention, 40) < at(without, 40) / 2, 'the retained file is far smaller than the unpruned one');
  });

  it(`shortening retention from ${RETENTION_DAYS} days to 1 on the full file: reclaimSpace shrinks it`, async () => {
    const full = retained.size();
    const pagesBefore = retained.pragma('page_count');
    const clock = DAY0 + DAYS * DAY_MS;
    const pruner = new Pruner({ store: retained.store, retentionDays: 1, usageRetentionDays: 0, logger, now: () => clock });
    const result = await pruner.runOnce();
    assert.equal(result.requests, (RETENTION_DAYS - 1) * ROWS_PER_DAY);
    const shrunk = retained.size();
    const free = retained.pragma('freelist_count');
    const pages = retained.pragma('page_count');
    console.log(`[file-size] ${RETENTION_DAYS}-day file ${mib(full)} MiB → ${mib(shrunk)} MiB after retention 1 day (${(shrunk / full).toFixed(3)}×); freelist ${free} of ${pages} pages`);
    assert.ok(free <= Math.ceil(pagesBefore / 8) + 1, `at most an eighth of the file (${pagesBefore} pages before) is kept free: ${free} of ${pages}`);
    assert.ok(shrunk < full * 0.6, `the file shrank from ${mib(full)} to only ${mib(shrunk)} MiB`);
  });
});

describe('retention: reclaimSpace on a file whose auto_vacuum is INCREMENTAL', () => {
  let db: Db | null = null;
  after(async () => {
    await db?.close();
  });

  it('gives the pages a large prune freed back, keeping an eighth of the former file free', { timeout: 30_000 }, async () => {
    // The file is created with auto_vacuum = INCREMENTAL before the store opens it (as openSqliteStore
    // does for a new file), so this case holds even for files made by other tools.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-size-incremental-'));
    const pre = new Database(path.join(dir, 'metrics.db'));
    pre.pragma('auto_vacuum = INCREMENTAL');
    pre.exec('CREATE TABLE placeholder (x); DROP TABLE placeholder;');
    pre.close();
    db = openDbAt(dir);
    assert.equal(db.pragma('auto_vacuum'), 2);
    const sizes = await simulate(db, 6, 0, 3);
    const full = sizes.at(-1)!;
    const pagesBefore = db.pragma('page_count');
    const clock = DAY0 + 6 * DAY_MS;
    const result = await new Pruner({ store: db.store, retentionDays: 1, usageRetentionDays: 0, logger, now: () => clock }).runOnce();
    assert.equal(result.requests, 5 * ROWS_PER_DAY);
    const shrunk = db.size();
    const free = db.pragma('freelist_count');
    const pages = db.pragma('page_count');
    console.log(`[file-size] INCREMENTAL file, 6 days ${mib(full)} MiB → ${mib(shrunk)} MiB after retention 1 day (${(shrunk / full).toFixed(3)}×); freelist ${free} of ${pages} pages`);
    // reclaimSpace keeps an eighth of the file as it was before the prune free, for the next days' rows.
    assert.ok(free <= Math.ceil(pagesBefore / 8) + 1, `at most an eighth of the file (${pagesBefore} pages before) is kept free: ${free} of ${pages}`);
    assert.ok(shrunk < full * 0.6, `the file shrank from ${mib(full)} to only ${mib(shrunk)} MiB`);
  });
});
