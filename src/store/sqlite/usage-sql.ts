/** The daily usage rollups in SQLite: additive upserts and the reads behind `/stats/usage`. */
import type Database from 'better-sqlite3';
import type { UsageDimension, UsageFilter, UsageTotals } from '../../domain/usage.js';
import type { DailyUsageQuery, DailyUsageRow } from '../types.js';
import type { UsageDelta } from '../usage-deltas.js';

const SUM_COLUMNS = [
  'requests', 'errors', 'input_tokens', 'output_tokens', 'total_tokens', 'cached_input_tokens', 'reasoning_tokens',
  'cost_usd', 'duration_ms',
] as const satisfies ReadonlyArray<keyof UsageTotals>;

const UPSERT_SQL = `
  INSERT INTO usage_daily (day, dims, model, endpoint, api_key_id, user, is_error, was_streamed, ${SUM_COLUMNS.join(', ')})
  VALUES (@day, @dims, @model, @endpoint, @api_key_id, @user, @is_error, @was_streamed, ${SUM_COLUMNS.map((c) => `@${c}`).join(', ')})
  ON CONFLICT (day, dims) DO UPDATE SET
  ${SUM_COLUMNS.map((c) => `${c} = ${c} + excluded.${c}`).join(',\n  ')}
`;

/** Column of each usage dimension (the same names as in `requests`). */
const DIMENSION_COLUMN: Record<UsageDimension, string> = {
  model: 'model', api_key_id: 'api_key_id', user: 'user', endpoint: 'endpoint',
};

export interface UsageStatements {
  /** Adds the deltas; call inside the transaction that writes their rows. */
  apply(deltas: readonly UsageDelta[]): void;
  read(query: DailyUsageQuery): DailyUsageRow[];
  span(): { first: number; last: number } | null;
  /** Deletes the days before `day`; returns how many rollup rows went. */
  deleteBefore(day: number): number;
}

export function prepareUsageStatements(db: Database.Database): UsageStatements {
  const upsert = db.prepare(UPSERT_SQL);
  const spanStmt = db.prepare<[], { first: number | null; last: number | null }>('SELECT MIN(day) AS first, MAX(day) AS last FROM usage_daily');
  const deleteStmt = db.prepare<[number]>('DELETE FROM usage_daily WHERE day < ?');
  const reads = new Map<string, Database.Statement<unknown[], Record<string, number | string | null>>>();
  return {
    apply(deltas) {
      for (const d of deltas) {
        upsert.run({
          day: d.day, dims: d.dims, model: d.model, endpoint: d.endpoint, api_key_id: d.api_key_id, user: d.user,
          is_error: d.is_error ? 1 : 0, was_streamed: d.was_streamed ? 1 : 0, ...d.usage,
        });
      }
    },
    read(query) {
      const { sql, params } = readSql(query);
      let stmt = reads.get(sql);
      if (stmt === undefined) reads.set(sql, (stmt = db.prepare(sql)));
      const key = query.groupBy === null ? null : DIMENSION_COLUMN[query.groupBy];
      return stmt.all(...params).map((row) => {
        const usage = Object.fromEntries(SUM_COLUMNS.map((c) => [c, row[c] as number])) as unknown as UsageTotals;
        return key === null ? { day: row.day as number, usage } : { day: row.day as number, key: row.g as string | null, usage };
      });
    },
    span() {
      const row = spanStmt.get();
      return row === undefined || row.first === null || row.last === null ? null : { first: row.first, last: row.last };
    },
    deleteBefore(day) {
      return deleteStmt.run(day).changes;
    },
  };
}

function readSql(query: DailyUsageQuery): { sql: string; params: unknown[] } {
  const where = ['day >= ?', 'day < ?'];
  const params: unknown[] = [query.fromDay, query.toDay];
  const f: UsageFilter = query.filter;
  const eq = (column: string, value: unknown): void => {
    where.push(`${column} = ?`);
    params.push(value);
  };
  if (f.model !== undefined) eq('model', f.model);
  if (f.endpoint !== undefined) eq('endpoint', f.endpoint);
  if (f.apiKeyId !== undefined) eq('api_key_id', f.apiKeyId);
  if (f.user !== undefined) eq('user', f.user);
  if (f.streamed !== undefined) eq('was_streamed', f.streamed ? 1 : 0);
  if (f.status !== undefined) eq('is_error', f.status === 'error' ? 1 : 0);
  const group = query.groupBy === null ? '' : `, ${DIMENSION_COLUMN[query.groupBy]}`;
  const sums = SUM_COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(', ');
  const sql = `SELECT day${group === '' ? '' : `${group} AS g`}, ${sums} FROM usage_daily WHERE ${where.join(' AND ')} GROUP BY day${group} ORDER BY day`;
  return { sql, params };
}
