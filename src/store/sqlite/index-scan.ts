/**
 * The start-up load of the analytics index reads every retained row (a million and more), so this
 * path is built for speed rather than derived from the field table: it selects only the columns
 * the index reads, as raw arrays, and builds each row with one object literal (one hidden class,
 * no per-field dispatch). Tags become objects without a prototype, so a tag named `__proto__`
 * stays a tag. `AnalyticsRecord` (domain/request-record.ts) is the contract: a field added there
 * fails to compile here until it is read.
 */
import type Database from 'better-sqlite3';
import type { AnalyticsRecord, ErrorType, UsageSource } from '../../domain/request-record.js';
import { INDEX_COLUMNS, type IndexRow } from './history-batch.js';

const SQL = `SELECT ${INDEX_COLUMNS} FROM requests WHERE id > ? ORDER BY id LIMIT ?`;
const TAGS_SQL = 'SELECT request_id, key, value FROM request_tags WHERE request_id > ? AND request_id <= ?';

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

type Row = IndexRow;

export function prepareIndexScan(db: Database.Database): (afterId: number, limit: number) => { records: AnalyticsRecord[]; lastId: number } {
  const rowsStmt = db.prepare<[number, number], Row>(SQL).raw(true);
  const tagsStmt = db.prepare<[number, number], [number, string, string]>(TAGS_SQL).raw(true);
  return (afterId, limit) => {
    const rows = rowsStmt.all(afterId, limit);
    const last = rows[rows.length - 1];
    if (last === undefined) return { records: [], lastId: afterId };
    const tags = new Map<number, Record<string, string>>();
    for (const [id, key, value] of tagsStmt.all(afterId, last[0])) {
      let held = tags.get(id);
      if (held === undefined) tags.set(id, (held = Object.create(null) as Record<string, string>));
      held[key] = value;
    }
    const records = new Array<AnalyticsRecord>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i]!;
      records[i] = {
        start_time: v[1],
        endpoint: v[2],
        model: v[3],
        is_error: v[4] === 1,
        was_streamed: v[5] === 1,
        usage_source: v[6] as UsageSource,
        input_tokens: v[7],
        output_tokens: v[8],
        total_tokens: v[9],
        cached_input_tokens: v[10],
        reasoning_tokens: v[11],
        ttft_ms: v[12],
        ttlt_ms: v[13],
        duration_ms: v[14],
        tokens_per_second: v[15],
        cost_usd: v[16],
        api_key_id: v[17],
        user: v[18],
        origin: v[19],
        error_type: v[20] as ErrorType | null,
        tags: tags.get(v[0]) ?? NO_TAGS,
      };
    }
    return { records, lastId: last[0] };
  };
}
