import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError, StoreWriteError } from '../../errors.js';
import type { RequestRecord, StoredRequest } from '../../domain/request-record.js';
import type { IndexedRecord, RecentQuery, RetentionMarks, Store, WrittenIds } from '../types.js';
import { applyMigrations } from './migrations.js';
import {
  fromRow,
  groupTags,
  INSERT_COLUMNS,
  recordFromValues,
  toInsertRecord,
  type InsertParams,
  type InsertRecord,
  type RequestRow,
  type TagRow,
} from './record-row.js';
import { checkCount, checkTime, recentSql } from './recent-sql.js';
import { prepareUsageStatements } from './usage-sql.js';
import { prepareIndexScan } from './index-scan.js';
import { loadHistoryInThread } from './history-thread.js';
import { usageDeltas } from '../usage-deltas.js';

export interface SqliteStore extends Store {
  /** The database file this store writes to. */
  readonly path: string;
}

const BUSY_TIMEOUT_MS = 5000;

/** Distinct `recent` query shapes whose prepared statements are kept; the oldest is dropped beyond this. */
const RECENT_CACHE_SIZE = 32;

const SELECT_COLUMNS = ['id', ...INSERT_COLUMNS].join(', ');
const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});
/** `store_meta` keys: how far retention has deleted (epoch ms). */
const REQUESTS_PRUNED_BEFORE = 'requests_pruned_before';
const USAGE_PRUNED_BEFORE = 'usage_pruned_before';
/** The highest request id ever given, kept once retention deletes rows (ids are never reused). */
const MAX_ID_EVER = 'max_request_id';
/** `PRAGMA auto_vacuum` value of INCREMENTAL. */
const INCREMENTAL = 2;


/**
 * Ids are given explicitly: `INTEGER PRIMARY KEY` alone would hand out again the ids of rows that
 * retention deleted from the top (an idle week, then every row pruned), and the analytics index,
 * cursors and `/stats/requests/:id` rely on an id never coming back.
 */
const INSERT_SQL = `
  INSERT INTO requests (id, ${INSERT_COLUMNS.join(', ')})
  VALUES (@id, ${INSERT_COLUMNS.map((c) => `@${c}`).join(', ')})
`;
const INSERT_TAG_SQL = 'INSERT INTO request_tags (request_id, key, value) VALUES (?, ?, ?)';

const GET_SQL = `SELECT ${SELECT_COLUMNS} FROM requests WHERE id = ?`;
const GET_TAGS_SQL = 'SELECT request_id, key, value FROM request_tags WHERE request_id = ? ORDER BY key';
const SCAN_SQL = `SELECT ${SELECT_COLUMNS} FROM requests WHERE id > ? ORDER BY id LIMIT ?`;
/** Tags of every request with afterId < id <= lastId: exactly the rows one `scan` page returned. */
const SCAN_TAGS_SQL = `
  SELECT request_id, key, value FROM request_tags
  WHERE request_id > ? AND request_id <= ?
  ORDER BY request_id, key
`;
/** Tags of the requests whose ids are in a JSON array: one statement for any number of ids. */
const TAGS_FOR_IDS_SQL = `
  SELECT request_id, key, value FROM request_tags
  WHERE request_id IN (SELECT value FROM json_each(?))
  ORDER BY request_id, key
`;

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
    // Only takes effect on a new file, before its first table and before WAL mode writes the
    // header: pages freed by retention can then be given back by reclaimSpace. In an older file
    // they are reused by later inserts instead.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
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
  const insert = db.prepare<[InsertParams & { id: number }]>(INSERT_SQL);
  const maxId = db.prepare<[], number | null>('SELECT MAX(id) FROM requests').pluck();
  const insertTag = db.prepare<[number, string, string]>(INSERT_TAG_SQL);
  const getStmt = db.prepare<[number], RequestRow>(GET_SQL);
  const getTagsStmt = db.prepare<[number], TagRow>(GET_TAGS_SQL);
  // Raw arrays: better-sqlite3 builds a 28-key object per row otherwise, most of a scan's cost.
  const scanStmt = db.prepare<[number, number], unknown[]>(SCAN_SQL).raw(true);
  const scanTagsStmt = db.prepare<[number, number], TagRow>(SCAN_TAGS_SQL);
  const tagsForIdsStmt = db.prepare<[string], TagRow>(TAGS_FOR_IDS_SQL);
  const recentStmts = new Map<string, Database.Statement<unknown[], RequestRow>>();
  const usage = prepareUsageStatements(db);
  const indexScan = prepareIndexScan(db);
  const idSpanStmt = db.prepare<[], number | null>('SELECT (SELECT MAX(id) FROM requests) - (SELECT MIN(id) FROM requests) + 1').pluck();
  const tagRangeStmt = db
    .prepare<[number, number], [number, string, string]>('SELECT request_id, key, value FROM request_tags WHERE request_id >= ? AND request_id <= ?')
    .raw(true);
  const getMeta = db.prepare<[string], string>('SELECT value FROM store_meta WHERE key = ?').pluck();
  const setMeta = db.prepare<[string, string]>('INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const oldIds = db.prepare<[number, number], number>('SELECT id FROM requests WHERE start_time < ? ORDER BY start_time LIMIT ?').pluck();
  const deleteTags = db.prepare<[string]>('DELETE FROM request_tags WHERE request_id IN (SELECT value FROM json_each(?))');
  const deleteRows = db.prepare<[string]>('DELETE FROM requests WHERE id IN (SELECT value FROM json_each(?))');

  // All or nothing: a throw inside rolls the whole batch back, tags and usage rollups included.
  const insertAll = db.transaction((records: readonly InsertRecord[], valid: readonly RequestRecord[]): WrittenIds | null => {
    // Inside the write transaction, so another connection cannot take the same ids.
    const firstId = Math.max(maxId.get() ?? 0, mark(MAX_ID_EVER) ?? 0) + 1;
    let id = firstId;
    for (const { row, tags } of records) {
      insert.run({ id, ...row });
      for (const [key, value] of tags) insertTag.run(id, key, value);
      id++;
    }
    usage.apply(usageDeltas(valid));
    return records.length === 0 ? null : { firstId, lastId: id - 1 };
  });

  const mark = (key: string): number | null => {
    const value = getMeta.get(key);
    return value === undefined ? null : Number(value);
  };
  const raiseMark = (key: string, to: number): void => {
    const held = mark(key);
    if (held === null || to > held) setMeta.run(key, String(to));
  };

  const pruneBatch = db.transaction((before: number, limit: number): number => {
    const ids = oldIds.all(before, limit);
    if (ids.length === 0) return 0;
    raiseMark(MAX_ID_EVER, maxId.get() ?? 0); // the next insert continues above the deleted ids
    const list = JSON.stringify(ids);
    deleteTags.run(list);
    deleteRows.run(list);
    raiseMark(REQUESTS_PRUNED_BEFORE, before);
    return ids.length;
  });
  const pruneUsageDays = db.transaction((beforeDay: number): number => {
    const deleted = usage.deleteBefore(beforeDay);
    if (deleted > 0) raiseMark(USAGE_PRUNED_BEFORE, beforeDay);
    return deleted;
  });

  function recentStatement(sql: string): Database.Statement<unknown[], RequestRow> {
    let stmt = recentStmts.get(sql);
    if (stmt !== undefined) {
      // Most recently used last, so eviction drops the shape unused the longest.
      recentStmts.delete(sql);
    } else {
      stmt = db.prepare<unknown[], RequestRow>(`SELECT ${SELECT_COLUMNS} FROM requests ${sql}`);
      if (recentStmts.size >= RECENT_CACHE_SIZE) {
        const oldest = recentStmts.keys().next();
        if (oldest.done !== true) recentStmts.delete(oldest.value);
      }
    }
    recentStmts.set(sql, stmt);
    return stmt;
  }

  /** The tags of `rows`, fetched in one query. */
  function tagsOf(rows: readonly RequestRow[]): Map<number, Record<string, string>> {
    if (rows.length === 0) return new Map();
    return groupTags(tagsForIdsStmt.all(JSON.stringify(rows.map((r) => r.id))));
  }

  return {
    path,

    async recordBatch(records) {
      if (records.length === 0) return null;
      // Validate first, so a bad record is told apart from a failing database.
      const rows: InsertRecord[] = [];
      for (const [index, record] of records.entries()) {
        try {
          rows.push(toInsertRecord(record));
        } catch (err) {
          throw new StoreWriteError(`record ${index} cannot be stored: ${message(err)}`, index, { cause: err });
        }
      }
      try {
        return insertAll(rows, records);
      } catch (err) {
        throw new StoreWriteError(`cannot write ${records.length} request record(s) to ${path}: ${message(err)}`, null, { cause: err });
      }
    },

    async recent(query: RecentQuery) {
      const { sql, params } = recentSql(query);
      const rows = recentStatement(sql).all(...params);
      const tags = tagsOf(rows);
      return rows.map((row) => fromRow(row, tags.get(row.id) ?? {})) satisfies StoredRequest[];
    },

    async getRequest(id) {
      if (!Number.isSafeInteger(id)) return null;
      const row = getStmt.get(id);
      if (row === undefined) return null;
      return fromRow(row, groupTags(getTagsStmt.all(id)).get(id) ?? {});
    },

    async scan(afterId, limit) {
      if (!Number.isSafeInteger(afterId)) throw new RangeError(`afterId must be an integer, got ${afterId}`);
      checkCount(limit, 'limit');
      const rows = scanStmt.all(afterId, limit);
      const last = rows.at(-1);
      if (last === undefined) return [];
      const tags = groupTags(scanTagsStmt.all(afterId, last[0] as number));
      return rows.map((values): IndexedRecord => {
        const id = values[0] as number;
        return { id, record: recordFromValues(values, tags.get(id) ?? NO_TAGS) };
      });
    },

    async estimateRequests() {
      return idSpanStmt.get() ?? 0;
    },

    loadHistory(add) {
      if ((idSpanStmt.get() ?? 0) === 0) return Promise.resolve(); // nothing stored: no thread to start
      return loadHistoryInThread(path, (first, last) => tagRangeStmt.all(first, last), add);
    },

    async scanForIndex(afterId, limit) {
      if (!Number.isSafeInteger(afterId)) throw new RangeError(`afterId must be an integer, got ${afterId}`);
      checkCount(limit, 'limit');
      return indexScan(afterId, limit);
    },

    async dailyUsage(query) {
      checkTime(query.fromDay, 'fromDay');
      checkTime(query.toDay, 'toDay');
      return usage.read(query);
    },

    async usageSpan() {
      return usage.span();
    },

    async retention(): Promise<RetentionMarks> {
      return { requestsBefore: mark(REQUESTS_PRUNED_BEFORE), usageBefore: mark(USAGE_PRUNED_BEFORE) };
    },

    async pruneRequests(before, limit) {
      checkTime(before, 'before');
      checkCount(limit, 'limit');
      return pruneBatch(before, limit);
    },

    async pruneUsage(beforeDay) {
      checkTime(beforeDay, 'beforeDay');
      return pruneUsageDays(beforeDay);
    },

    async reclaimSpace() {
      if (db.pragma('auto_vacuum', { simple: true }) !== INCREMENTAL) return;
      const free = db.pragma('freelist_count', { simple: true }) as number;
      const pages = db.pragma('page_count', { simple: true }) as number;
      // Steady traffic reuses what one day of retention frees; only a large surplus (retention
      // shortened, traffic dropped) is worth returning, down to an eighth of the file kept free.
      if (free > pages / 4) db.pragma(`incremental_vacuum(${free - Math.floor(pages / 8)})`);
    },

    async close() {
      recentStmts.clear();
      if (db.open) db.close();
    },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
