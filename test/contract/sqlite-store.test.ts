import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AppError, StoreWriteError } from '../../src/errors.js';
import { applyMigrations, MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeFailedRecord, makeRecord } from './records.js';
import { storeContract, type OpenStore } from './store-contract.js';
import { createSqliteBeforeRollups, storeRetentionContract } from './store-retention-contract.js';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lmp-sqlite-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** `location` is the temp directory holding `metrics.db`. */
const openSqlite: OpenStore = async (location) => {
  const dir = location ?? tempDir();
  const store = openSqliteStore(path.join(dir, 'metrics.db'));
  return {
    store,
    location: dir,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

storeContract('SQLite', openSqlite);
storeRetentionContract('SQLite', openSqlite, { createBeforeRollups: createSqliteBeforeRollups });

const T0 = Date.UTC(2024, 0, 15, 12, 0, 0, 0);

function inspect<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('SQLite store specifics', () => {
  it('creates missing parent directories', async () => {
    const file = path.join(tempDir(), 'a', 'b', 'c', 'metrics.db');
    const store = openSqliteStore(file);
    await store.recordBatch([makeRecord()]);
    await store.close();
    assert.ok(fs.statSync(file).isFile());
    assert.equal(store.path, file);
  });

  it('uses WAL journal mode', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    const store = openSqliteStore(file);
    try {
      assert.equal(inspect(file, (db) => db.pragma('journal_mode', { simple: true })), 'wal');
      assert.ok(fs.existsSync(`${file}-wal`), 'a -wal file exists while open');
    } finally {
      await store.close();
    }
  });

  it('records every migration in schema_migrations, once, and does not re-run them on reopen', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    await openSqliteStore(file).close();
    const first = inspect(file, (db) => db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all());
    assert.deepEqual(
      first.map((r) => (r as { version: number }).version),
      MIGRATIONS.map((_, i) => i + 1),
    );
    for (const r of first) assert.match((r as { applied_at: string }).applied_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    await new Promise((resolve) => setTimeout(resolve, 5)); // a re-run would get a later applied_at
    await openSqliteStore(file).close();
    const second = inspect(file, (db) => db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all());
    assert.deepEqual(second, first);
  });

  it('creates the indexes the filters and the tag lookups use', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    await openSqliteStore(file).close();
    const indexed = (table: string) =>
      inspect(file, (db) =>
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[]).map(
          (name) => (db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(name) as string[]).join(','),
        ),
      );
    const requests = indexed('requests');
    for (const cols of ['start_time', 'model,start_time', 'endpoint,start_time', 'api_key_id,start_time', 'user,start_time']) {
      assert.ok(requests.includes(cols), `requests indexes: ${requests.join(' | ')}`);
    }
    const tags = indexed('request_tags');
    for (const cols of ['request_id,key', 'key,value,request_id']) {
      assert.ok(tags.includes(cols), `request_tags indexes: ${tags.join(' | ')}`);
    }
  });

  it('upgrades a schema-1 database with rows to the latest schema, keeping the rows', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    const v1 = new Database(file);
    applyMigrations(v1, MIGRATIONS.slice(0, 1));
    const insertV1 = v1.prepare(`
      INSERT INTO requests (start_time, method, endpoint, model, response_model, status_code, is_error, error_type,
        error_message, was_streamed, input_tokens, output_tokens, total_tokens, usage_source, ttft_ms, duration_ms,
        tokens_per_second, finish_reason)
      VALUES (@start_time, @method, @endpoint, @model, @response_model, @status_code, @is_error, @error_type,
        @error_message, @was_streamed, @input_tokens, @output_tokens, @total_tokens, @usage_source, @ttft_ms, @duration_ms,
        @tokens_per_second, @finish_reason)
    `);
    const old = [
      makeRecord({ start_time: T0, was_streamed: true, ttft_ms: 12.5 }),
      makeFailedRecord({ start_time: T0 + 1, model: null }),
    ];
    for (const r of old) {
      insertV1.run({
        start_time: r.start_time, method: r.method, endpoint: r.endpoint, model: r.model, response_model: r.response_model,
        status_code: r.status_code, is_error: r.is_error ? 1 : 0, error_type: r.error_type, error_message: r.error_message,
        was_streamed: r.was_streamed ? 1 : 0, input_tokens: r.input_tokens, output_tokens: r.output_tokens,
        total_tokens: r.total_tokens, usage_source: r.usage_source, ttft_ms: r.ttft_ms, duration_ms: r.duration_ms,
        tokens_per_second: r.tokens_per_second, finish_reason: r.finish_reason,
      });
    }
    assert.deepEqual(v1.prepare('SELECT version FROM schema_migrations').pluck().all(), [1]);
    v1.close();

    const store = openSqliteStore(file);
    try {
      // makeRecord's defaults for the new fields are exactly what an upgraded row reads as.
      assert.deepEqual((await store.scan(0, 10)).map((s) => s.record), old);
      const rows = await store.recent({ filter: {}, limit: 10 });
      assert.deepEqual(rows.map((r) => [r.cost_usd, r.user, r.api_key_id, r.tags]), [[null, null, null, {}], [null, null, null, {}]]);
      assert.deepEqual(await store.getRequest(rows[1]?.id ?? -1), rows[1]);

      // The upgraded table takes new rows with every field, and they get larger ids.
      await store.recordBatch([makeRecord({ start_time: T0 + 2, user: 'u', tags: { team: 'red' }, cost_usd: 0.5, message_count: 3 })]);
      const scanned = await store.scan(0, 10);
      assert.equal(scanned.length, 3);
      assert.deepEqual(scanned[2]?.record.tags, { team: 'red' });
      assert.deepEqual((await store.recent({ filter: { user: 'u', tags: [['team', 'red']] }, limit: 10 })).length, 1);
    } finally {
      await store.close();
    }
    const versions = inspect(file, (db) => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all());
    assert.deepEqual(versions, MIGRATIONS.map((_, i) => i + 1));
  });

  it('rolls back the whole batch, earlier requests included, when a tag insert fails in the database', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    const store = openSqliteStore(file);
    try {
      await store.recordBatch([makeRecord({ tags: { keep: 'me' } })]);
      const db = new Database(file);
      db.exec(`CREATE TRIGGER fail_tag BEFORE INSERT ON request_tags WHEN NEW.value = 'boom'
               BEGIN SELECT RAISE(ABORT, 'tag refused'); END`);
      db.close();

      const batch = [makeRecord({ tags: { a: 'fine' } }), makeRecord(), makeRecord({ tags: { b: 'x', c: 'boom' } })];
      await assert.rejects(store.recordBatch(batch), (err: unknown) => {
        assert.ok(err instanceof StoreWriteError);
        assert.equal(err.invalidIndex, null, 'a database failure, not a bad record');
        assert.match(err.message, /tag refused/);
        return true;
      });
      assert.deepEqual((await store.scan(0, 10)).map((s) => s.record.tags), [{ keep: 'me' }]);
      const tagRows = inspect(file, (db) => db.prepare('SELECT key, value FROM request_tags ORDER BY key').all());
      assert.deepEqual(tagRows, [{ key: 'keep', value: 'me' }]);
    } finally {
      await store.close();
    }
  });

  it('prepares a recent() statement once per filter shape, not per call', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'metrics.db'));
    const original = Database.prototype.prepare;
    const prepared: string[] = [];
    Database.prototype.prepare = function (this: Database.Database, source: string) {
      prepared.push(source);
      return original.call(this, source);
    } as typeof original;
    try {
      await store.recordBatch([makeRecord({ model: 'a', tags: { t: '1' } }), makeRecord({ model: 'b', tags: { t: '2' } })]);
      const q = (filter: Parameters<typeof store.recent>[0]['filter'], extra = {}) => store.recent({ filter, limit: 10, ...extra });
      assert.equal((await q({ model: 'a' })).length, 1);
      assert.equal((await q({ model: 'b' })).length, 1);
      assert.equal((await q({ model: 'c' }, { offset: 1 })).length, 0);
      assert.equal(prepared.length, 1, `one shape: ${prepared.join(' | ')}`);

      assert.equal((await q({ model: 'a', tags: [['t', '1']] })).length, 1);
      assert.equal((await q({ model: 'b', tags: [['t', '1']] })).length, 0);
      assert.equal(prepared.length, 2, 'a second shape');

      await q({ model: 'a' });
      await store.getRequest(1);
      await store.scan(0, 10);
      assert.equal(prepared.length, 2, 'nothing else re-prepared');
      for (const sql of prepared) assert.doesNotMatch(sql, /'a'|'b'|'1'/, 'values are bound, not in the SQL');
    } finally {
      Database.prototype.prepare = original;
      await store.close();
    }
  });

  it('looks tags up by index, not by scanning request_tags', () => {
    const file = path.join(tempDir(), 'metrics.db');
    const db = new Database(file);
    try {
      applyMigrations(db);
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      const byIds = plan(`SELECT request_id, key, value FROM request_tags WHERE request_id IN (SELECT value FROM json_each('[1,2]')) ORDER BY request_id, key`);
      assert.match(byIds, /SEARCH request_tags USING (COVERING )?INDEX/, byIds);
      const tagFilter = plan(`SELECT id FROM requests WHERE EXISTS (SELECT 1 FROM request_tags t WHERE t.request_id = requests.id AND t.key = 'k' AND t.value = 'v')`);
      assert.doesNotMatch(tagFilter, /SCAN t\b/, tagFilter);
    } finally {
      db.close();
    }
  });

  it('stores booleans as 0/1 and keeps null token counts null in the row', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    const store = openSqliteStore(file);
    await store.recordBatch([
      makeRecord({ is_error: true, was_streamed: false, input_tokens: null, output_tokens: null, total_tokens: null, usage_source: 'none' }),
    ]);
    await store.close();
    const row = inspect(file, (db) => db.prepare('SELECT * FROM requests').get()) as Record<string, unknown>;
    assert.equal(row.is_error, 1);
    assert.equal(row.was_streamed, 0);
    assert.equal(row.input_tokens, null);
    assert.equal(row.output_tokens, null);
    assert.equal(row.total_tokens, null);
    assert.equal(row.start_time, makeRecord().start_time);
  });

  it('rejects NaN even in nullable columns instead of storing null', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'metrics.db'));
    try {
      await assert.rejects(store.recordBatch([makeRecord({ ttft_ms: Number.NaN })]), (err: unknown) => {
        assert.ok(err instanceof AppError);
        assert.equal(err.code, 'LMP_STORE_WRITE_FAILED');
        assert.match(err.message, /record 0 cannot be stored: ttft_ms must be a finite number/);
        assert.ok(err instanceof StoreWriteError);
        assert.equal(err.invalidIndex, 0);
        assert.ok(err.cause instanceof Error);
        return true;
      });
      assert.deepEqual(await store.recent({ filter: {}, limit: 10 }), []);
    } finally {
      await store.close();
    }
  });

  it('wraps open failures in LMP_STORE_OPEN_FAILED', () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'not-a-dir');
    fs.writeFileSync(blocker, '');
    assert.throws(() => openSqliteStore(path.join(blocker, 'metrics.db')), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'LMP_STORE_OPEN_FAILED');
      assert.ok(err.cause !== undefined);
      return true;
    });

    const notSqlite = path.join(dir, 'garbage.db');
    fs.writeFileSync(notSqlite, 'this is not a database '.repeat(100));
    assert.throws(() => openSqliteStore(notSqlite), { code: 'LMP_STORE_OPEN_FAILED' });
  });

  it('refuses a database whose schema is newer than this build', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    await openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(MIGRATIONS.length + 1, new Date().toISOString());
    db.close();
    assert.throws(() => openSqliteStore(file), (err: unknown) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'LMP_STORE_OPEN_FAILED');
      assert.match(err.message, /newer than this build supports/);
      return true;
    });
  });

  it('close() is idempotent', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'metrics.db'));
    await store.close();
    await store.close();
  });

  it('rejects a bad limit, offset, cursor or time bound in recent() and scan()', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'metrics.db'));
    try {
      const recent = (query: Partial<Parameters<typeof store.recent>[0]>) => store.recent({ filter: {}, limit: 10, ...query });
      await assert.rejects(recent({ limit: 2.5 }), RangeError);
      await assert.rejects(recent({ limit: -1 }), RangeError);
      await assert.rejects(recent({ offset: -1 }), RangeError);
      await assert.rejects(recent({ offset: Number.NaN }), RangeError);
      await assert.rejects(recent({ before: { start_time: Number.NaN, id: 1 } }), RangeError);
      await assert.rejects(recent({ before: { start_time: T0, id: 1.5 } }), RangeError);
      await assert.rejects(recent({ filter: { start: Number.NaN } }), RangeError);
      await assert.rejects(store.scan(0, -1), RangeError);
      await assert.rejects(store.scan(Number.NaN, 10), RangeError);
      assert.equal(await store.getRequest(Number.NaN), null);
    } finally {
      await store.close();
    }
  });
});
