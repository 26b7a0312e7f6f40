import { columnValue, fieldValue, invalid, RECORD_FIELDS, type ColumnValue, type FieldName } from '../../domain/record-fields.js';
import type { RequestRecord, StoredRequest } from '../../domain/request-record.js';

/** A `requests` row as SQLite binds and returns it: flags are 0/1, start_time is epoch ms. */
export type RequestRow = { id: number } & Record<FieldName, ColumnValue>;

export type InsertParams = Record<FieldName, ColumnValue>;

/** A validated record: its `requests` row and its `request_tags` pairs. */
export interface InsertRecord {
  row: InsertParams;
  tags: ReadonlyArray<readonly [key: string, value: string]>;
}

/** A `request_tags` row as SQLite returns it. */
export interface TagRow {
  request_id: number;
  key: string;
  value: string;
}

/** Columns of `requests` an insert binds, in table order (every column but `id`): the field table's. */
export const INSERT_COLUMNS: readonly FieldName[] = RECORD_FIELDS.map((f) => f.name);

/** Converts a record to insert parameters, validating every field (see `columnValue`). */
export function toInsertRecord(r: RequestRecord): InsertRecord {
  const row = {} as InsertParams;
  for (const field of RECORD_FIELDS) row[field.name] = columnValue(r, field);
  return { row, tags: tagPairs(r.tags) };
}

/** The record as written, with its epoch-ms start_time: what `scan` returns. */
export function toRecord(row: RequestRow, tags: Readonly<Record<string, string>>): RequestRecord {
  const record: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    record[field.name] = fieldValue(row[field.name], field);
    if (field.name === 'user') record.tags = tags; // the wire order of /stats/recent
  }
  return record as unknown as RequestRecord;
}

/** The record as the stats API returns it: with its id and an ISO-8601 start_time. */
export function fromRow(row: RequestRow, tags: Readonly<Record<string, string>>): StoredRequest {
  return { id: row.id, ...toRecord(row, tags), start_time: new Date(row.start_time as number).toISOString() };
}

/**
 * Groups `request_tags` rows by request id into tag objects. `Object.fromEntries` defines own
 * properties, so a tag named `__proto__` stays a tag instead of replacing the prototype.
 */
export function groupTags(rows: readonly TagRow[]): Map<number, Record<string, string>> {
  const pairs = new Map<number, Array<[string, string]>>();
  for (const { request_id, key, value } of rows) {
    let list = pairs.get(request_id);
    if (list === undefined) pairs.set(request_id, (list = []));
    list.push([key, value]);
  }
  const grouped = new Map<number, Record<string, string>>();
  for (const [id, list] of pairs) grouped.set(id, Object.fromEntries(list));
  return grouped;
}

function tagPairs(value: unknown): Array<[string, string]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('tags', value, 'a plain object of string values');
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid('tags', value, 'a plain object of string values');
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid('tags', value, 'an object with string keys only');
  const pairs = Object.entries(value);
  for (const [key, tag] of pairs) {
    if (typeof tag !== 'string') throw invalid(`tags.${key}`, tag, 'a string');
  }
  return pairs as Array<[string, string]>;
}

/**
 * A raw row (values in `id, ...INSERT_COLUMNS` order) straight to a record: the scan path that
 * loads the analytics index, where building a keyed row object first would double the cost.
 */
export function recordFromValues(v: readonly unknown[], tags: Readonly<Record<string, string>>): RequestRecord {
  const record: Record<string, unknown> = {};
  for (let i = 0; i < RECORD_FIELDS.length; i++) {
    const field = RECORD_FIELDS[i]!;
    record[field.name] = fieldValue(v[i + 1], field);
    if (field.name === 'user') record.tags = tags;
  }
  return record as unknown as RequestRecord;
}
