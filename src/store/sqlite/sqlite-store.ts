import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError, StoreWriteError } from '../../errors.js';
import type { ModelStats, RequestRecord, StoredRequest, Store, Summary } from '../types.js';
import { applyMigrations } from './migrations.js';
import { fromRow, toInsertParams, type InsertParams, type RequestRow } from './record-row.js';
import { BY_MODEL_SQL, SUMMARY_SQL } from './stats-sql.js';

export interface SqliteStore extends Store {
  /** The database file this store writes to. */
  readonly path: string;
}

const BUSY_TIMEOUT_MS = 5000;

const INSERT_SQL = `
  INSERT INTO requests (
    start_time, method, endpoint, model, response_model, status_code, is_error, error_type,
    error_message, was_streamed, input_tokens, output_tokens, total_tokens, usage_source, ttft_ms,
    duration_ms, tokens_per_second, finish_reason
  ) VALUES (
    @start_time, @method, @endpoint, @model, @response_model, @status_code, @is_error, @error_type,
    @error_message, @was_streamed, @input_tokens, @output_tokens, @total_tokens, @usage_source, @ttft_ms,
    @duration_ms, @tokens_per_second, @finish_reason
  )
`;

const RECENT_SQL = `SELECT * FROM requests ORDER BY start_time DESC, id DESC LIMIT ?`;

/**
 * Opens (creating if needed) the SQLite database at `path`, in WAL mode, migrated to the latest
 * schema. Throws `AppError('LMP_STORE_OPEN_FAILED')` when that fails.
 */
export function openSqliteStore(path: string): SqliteStore {
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    applyMigrations(db);
    return createStore(db, path);
  } catch (err) {
    db?.close();
    throw new AppError('LMP_STORE_OPEN_FAILED', `cannot open SQLite store at ${path}: ${message(err)}`, {
      cause: err,
    });
  }
}

function createStore(db: Database.Database, path: string): SqliteStore {
  const insert = db.prepare<[InsertParams]>(INSERT_SQL);
  const summaryStmt = db.prepare<[], Summary>(SUMMARY_SQL);
  const byModelStmt = db.prepare<[], ModelStats>(BY_MODEL_SQL);
  const recentStmt = db.prepare<[number], RequestRow>(RECENT_SQL);

  // All or nothing: a throw inside rolls the whole batch back.
  const insertAll = db.transaction((rows: readonly InsertParams[]) => {
    for (const row of rows) insert.run(row);
  });

  return {
    path,

    async recordBatch(records) {
      if (records.length === 0) return;
      // Validate first, so a bad record is told apart from a failing database.
      const rows: InsertParams[] = [];
      for (const [index, record] of records.entries()) {
        try {
          rows.push(toInsertParams(record));
        } catch (err) {
          throw new StoreWriteError(`record ${index} cannot be stored: ${message(err)}`, index, { cause: err });
        }
      }
      try {
        insertAll(rows);
      } catch (err) {
        throw new StoreWriteError(`cannot write ${records.length} request record(s) to ${path}: ${message(err)}`, null, { cause: err });
      }
    },

    async summary() {
      return summaryStmt.get() as Summary;
    },

    async byModel() {
      return byModelStmt.all();
    },

    async recent(limit) {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
      }
      return recentStmt.all(limit).map(fromRow) satisfies StoredRequest[];
    },

    async close() {
      if (db.open) db.close();
    },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
