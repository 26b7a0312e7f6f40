import { COMPLETION_ENDPOINTS } from '../../domain/endpoints.js';
import type { RecentQuery } from '../types.js';

/**
 * The part of a `recent` query after `FROM requests`, and its parameters. Values are always bound,
 * never written into the SQL, so the SQL text depends only on which conditions are present (and
 * how many tag pairs): it is the key under which the prepared statement is cached.
 */
export interface RecentSql {
  sql: string;
  params: unknown[];
}

export function recentSql(query: RecentQuery): RecentSql {
  const { filter } = query;
  checkCount(query.limit, 'limit');
  const offset = query.offset ?? 0;
  checkCount(offset, 'offset');

  const where: string[] = [];
  const params: unknown[] = [];
  const add = (condition: string, ...values: unknown[]): void => {
    where.push(condition);
    params.push(...values);
  };

  if (filter.start !== undefined) add('start_time >= ?', checkTime(filter.start, 'filter.start'));
  if (filter.end !== undefined) add('start_time < ?', checkTime(filter.end, 'filter.end'));
  if (filter.model !== undefined) add('model = ?', filter.model);
  if (filter.endpoint !== undefined) add('endpoint = ?', filter.endpoint);
  if (filter.streamed !== undefined) add('was_streamed = ?', filter.streamed ? 1 : 0);
  if (filter.status !== undefined) add('is_error = ?', filter.status === 'error' ? 1 : 0);
  if (filter.apiKeyId !== undefined) add('api_key_id = ?', filter.apiKeyId);
  if (filter.user !== undefined) add('user = ?', filter.user);
  for (const [key, value] of filter.tags ?? []) {
    add('EXISTS (SELECT 1 FROM request_tags t WHERE t.request_id = requests.id AND t.key = ? AND t.value = ?)', key, value);
  }
  if (query.completionsOnly === true) {
    // Unary `+` keeps this term off the (endpoint, start_time) index: completions are most rows, so
    // walking start_time newest first and stopping at the limit beats sorting every completion.
    add(`+endpoint IN (${COMPLETION_ENDPOINTS.map(() => '?').join(', ')})`, ...COMPLETION_ENDPOINTS);
  }
  if (query.before !== undefined) {
    const time = checkTime(query.before.start_time, 'before.start_time');
    if (!Number.isSafeInteger(query.before.id)) throw new RangeError(`before.id must be an integer, got ${query.before.id}`);
    add('(start_time < ? OR (start_time = ? AND id < ?))', time, time, query.before.id);
  }

  const sql = [
    where.length > 0 ? `WHERE ${where.join(' AND ')}` : '',
    'ORDER BY start_time DESC, id DESC LIMIT ? OFFSET ?',
  ].join(' ');
  params.push(query.limit, offset);
  return { sql, params };
}

export function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

export function checkTime(value: number, name: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number (epoch ms), got ${value}`);
  return value;
}
