import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { AppError, StoreWriteError } from '../../src/errors.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { makeRecord } from './records.js';
import { storeContract, type OpenStore } from './store-contract.js';

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

  it('creates the start_time and (model, start_time) indexes', async () => {
    const file = path.join(tempDir(), 'metrics.db');
    await openSqliteStore(file).close();
    const indexed = inspect(file, (db) =>
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests'").pluck().all() as string[]).map(
        (name) => (db.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).pluck().all(name) as string[]).join(','),
      ),
    );
    assert.ok(indexed.includes('start_time'), `indexes: ${indexed.join(' | ')}`);
    assert.ok(indexed.includes('model,start_time'), `indexes: ${indexed.join(' | ')}`);
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
      assert.deepEqual(await store.recent(10), []);
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

  it('rejects a non-integer limit in recent()', async () => {
    const store = openSqliteStore(path.join(tempDir(), 'metrics.db'));
    try {
      await assert.rejects(store.recent(2.5), RangeError);
      await assert.rejects(store.recent(-1), RangeError);
    } finally {
      await store.close();
    }
  });
});
