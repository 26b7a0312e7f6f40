import type { ErrorType, RequestRecord, StoredRequest, UsageSource } from '../../domain/request-record.js';

/** A `requests` row as SQLite binds and returns it: booleans are 0/1, start_time is epoch ms. */
export interface RequestRow {
  id: number;
  start_time: number;
  method: string;
  endpoint: string;
  model: string | null;
  response_model: string | null;
  status_code: number | null;
  is_error: 0 | 1;
  error_type: string | null;
  error_message: string | null;
  was_streamed: 0 | 1;
  input_tokens: number | null;
  output_tokens: number | null;
  total_tokens: number | null;
  cached_input_tokens: number | null;
  reasoning_tokens: number | null;
  usage_source: string;
  ttft_ms: number | null;
  ttlt_ms: number | null;
  duration_ms: number;
  tokens_per_second: number | null;
  finish_reason: string | null;
  message_count: number | null;
  origin: string | null;
  api_key_id: string | null;
  user: string | null;
  cost_usd: number | null;
  cache_creation_input_tokens: number | null;
  tool_calls: number | null;
  backend_prompt_ms: number | null;
  backend_generation_ms: number | null;
  backend_tokens_per_second: number | null;
  backend_load_ms: number | null;
  backend_total_ms: number | null;
}

export type InsertParams = Omit<RequestRow, 'id'>;

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

/** Columns of `requests` an insert binds, in table order (every column but `id`). */
export const INSERT_COLUMNS = [
  'start_time', 'method', 'endpoint', 'model', 'response_model', 'status_code', 'is_error', 'error_type',
  'error_message', 'was_streamed', 'input_tokens', 'output_tokens', 'total_tokens', 'cached_input_tokens',
  'reasoning_tokens', 'usage_source', 'ttft_ms', 'ttlt_ms', 'duration_ms', 'tokens_per_second', 'finish_reason',
  'message_count', 'origin', 'api_key_id', 'user', 'cost_usd', 'cache_creation_input_tokens', 'tool_calls',
  'backend_prompt_ms', 'backend_generation_ms', 'backend_tokens_per_second', 'backend_load_ms', 'backend_total_ms',
] as const satisfies ReadonlyArray<keyof InsertParams>;

/**
 * Converts a record to insert parameters, rejecting values SQLite would silently coerce or refuse
 * only at write time (NaN and `undefined` bind as NULL, a non-boolean flag as 0/1, a fraction in
 * an INTEGER column fails the STRICT check and would look like a database failure).
 */
export function toInsertRecord(r: RequestRecord): InsertRecord {
  const row: InsertParams = {
    start_time: integer(r.start_time, 'start_time'),
    method: text(r.method, 'method'),
    endpoint: text(r.endpoint, 'endpoint'),
    model: nullableText(r.model, 'model'),
    response_model: nullableText(r.response_model, 'response_model'),
    status_code: nullableInteger(r.status_code, 'status_code'),
    is_error: flag(r.is_error, 'is_error'),
    error_type: nullableText(r.error_type, 'error_type'),
    error_message: nullableText(r.error_message, 'error_message'),
    was_streamed: flag(r.was_streamed, 'was_streamed'),
    input_tokens: nullableInteger(r.input_tokens, 'input_tokens'),
    output_tokens: nullableInteger(r.output_tokens, 'output_tokens'),
    total_tokens: nullableInteger(r.total_tokens, 'total_tokens'),
    cached_input_tokens: nullableInteger(r.cached_input_tokens, 'cached_input_tokens'),
    reasoning_tokens: nullableInteger(r.reasoning_tokens, 'reasoning_tokens'),
    usage_source: text(r.usage_source, 'usage_source'),
    ttft_ms: nullableFinite(r.ttft_ms, 'ttft_ms'),
    ttlt_ms: nullableFinite(r.ttlt_ms, 'ttlt_ms'),
    duration_ms: finite(r.duration_ms, 'duration_ms'),
    tokens_per_second: nullableFinite(r.tokens_per_second, 'tokens_per_second'),
    finish_reason: nullableText(r.finish_reason, 'finish_reason'),
    message_count: nullableInteger(r.message_count, 'message_count'),
    origin: nullableText(r.origin, 'origin'),
    api_key_id: nullableText(r.api_key_id, 'api_key_id'),
    user: nullableText(r.user, 'user'),
    cost_usd: nullableFinite(r.cost_usd, 'cost_usd'),
    cache_creation_input_tokens: nullableInteger(r.cache_creation_input_tokens ?? null, 'cache_creation_input_tokens'),
    tool_calls: nullableInteger(r.tool_calls ?? null, 'tool_calls'),
    backend_prompt_ms: nullableFinite(r.backend_prompt_ms ?? null, 'backend_prompt_ms'),
    backend_generation_ms: nullableFinite(r.backend_generation_ms ?? null, 'backend_generation_ms'),
    backend_tokens_per_second: nullableFinite(r.backend_tokens_per_second ?? null, 'backend_tokens_per_second'),
    backend_load_ms: nullableFinite(r.backend_load_ms ?? null, 'backend_load_ms'),
    backend_total_ms: nullableFinite(r.backend_total_ms ?? null, 'backend_total_ms'),
  };
  return { row, tags: tagPairs(r.tags) };
}

/** The record as written, with its epoch-ms start_time: what `scan` returns. */
export function toRecord(row: RequestRow, tags: Readonly<Record<string, string>>): RequestRecord {
  return {
    start_time: row.start_time,
    method: row.method,
    endpoint: row.endpoint,
    model: row.model,
    response_model: row.response_model,
    status_code: row.status_code,
    is_error: row.is_error === 1,
    error_type: row.error_type as ErrorType | null,
    error_message: row.error_message,
    was_streamed: row.was_streamed === 1,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    total_tokens: row.total_tokens,
    cached_input_tokens: row.cached_input_tokens,
    reasoning_tokens: row.reasoning_tokens,
    usage_source: row.usage_source as UsageSource,
    ttft_ms: row.ttft_ms,
    ttlt_ms: row.ttlt_ms,
    duration_ms: row.duration_ms,
    tokens_per_second: row.tokens_per_second,
    finish_reason: row.finish_reason,
    message_count: row.message_count,
    origin: row.origin,
    api_key_id: row.api_key_id,
    user: row.user,
    tags,
    cost_usd: row.cost_usd,
    cache_creation_input_tokens: row.cache_creation_input_tokens,
    tool_calls: row.tool_calls,
    backend_prompt_ms: row.backend_prompt_ms,
    backend_generation_ms: row.backend_generation_ms,
    backend_tokens_per_second: row.backend_tokens_per_second,
    backend_load_ms: row.backend_load_ms,
    backend_total_ms: row.backend_total_ms,
  };
}

/** The record as the stats API returns it: with its id and an ISO-8601 start_time. */
export function fromRow(row: RequestRow, tags: Readonly<Record<string, string>>): StoredRequest {
  return { id: row.id, ...toRecord(row, tags), start_time: new Date(row.start_time).toISOString() };
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

function invalid(field: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${field} must be ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return String(value);
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, value, 'a finite number');
  return value;
}

function nullableFinite(value: unknown, field: string): number | null {
  return value === null ? null : finite(value, field);
}

function integer(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field, value, 'an integer');
  return value;
}

function nullableInteger(value: unknown, field: string): number | null {
  return value === null ? null : integer(value, field);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, value, 'a string');
  return value;
}

function nullableText(value: unknown, field: string): string | null {
  return value === null ? null : text(value, field);
}

function flag(value: unknown, field: string): 0 | 1 {
  if (typeof value !== 'boolean') throw invalid(field, value, 'a boolean');
  return value ? 1 : 0;
}

/** Position of each column in a raw `SELECT id, ${INSERT_COLUMNS}` row. */
const AT = Object.fromEntries(INSERT_COLUMNS.map((name, i) => [name, i + 1])) as Record<(typeof INSERT_COLUMNS)[number], number>;

/**
 * A raw row (values in `id, ...INSERT_COLUMNS` order) straight to a record: the scan path that
 * loads the analytics index, where building a keyed row object first would double the cost.
 */
export function recordFromValues(v: readonly unknown[], tags: Readonly<Record<string, string>>): RequestRecord {
  return {
    start_time: v[AT.start_time] as number,
    method: v[AT.method] as string,
    endpoint: v[AT.endpoint] as string,
    model: v[AT.model] as string | null,
    response_model: v[AT.response_model] as string | null,
    status_code: v[AT.status_code] as number | null,
    is_error: v[AT.is_error] === 1,
    error_type: v[AT.error_type] as ErrorType | null,
    error_message: v[AT.error_message] as string | null,
    was_streamed: v[AT.was_streamed] === 1,
    input_tokens: v[AT.input_tokens] as number | null,
    output_tokens: v[AT.output_tokens] as number | null,
    total_tokens: v[AT.total_tokens] as number | null,
    cached_input_tokens: v[AT.cached_input_tokens] as number | null,
    reasoning_tokens: v[AT.reasoning_tokens] as number | null,
    usage_source: v[AT.usage_source] as UsageSource,
    ttft_ms: v[AT.ttft_ms] as number | null,
    ttlt_ms: v[AT.ttlt_ms] as number | null,
    duration_ms: v[AT.duration_ms] as number,
    tokens_per_second: v[AT.tokens_per_second] as number | null,
    finish_reason: v[AT.finish_reason] as string | null,
    message_count: v[AT.message_count] as number | null,
    origin: v[AT.origin] as string | null,
    api_key_id: v[AT.api_key_id] as string | null,
    user: v[AT.user] as string | null,
    tags,
    cost_usd: v[AT.cost_usd] as number | null,
    cache_creation_input_tokens: v[AT.cache_creation_input_tokens] as number | null,
    tool_calls: v[AT.tool_calls] as number | null,
    backend_prompt_ms: v[AT.backend_prompt_ms] as number | null,
    backend_generation_ms: v[AT.backend_generation_ms] as number | null,
    backend_tokens_per_second: v[AT.backend_tokens_per_second] as number | null,
    backend_load_ms: v[AT.backend_load_ms] as number | null,
    backend_total_ms: v[AT.backend_total_ms] as number | null,
  };
}
