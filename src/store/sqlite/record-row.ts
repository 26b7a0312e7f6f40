import type { ErrorType, RequestRecord, StoredRequest, UsageSource } from '../types.js';

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
  usage_source: string;
  ttft_ms: number | null;
  duration_ms: number;
  tokens_per_second: number | null;
  finish_reason: string | null;
}

export type InsertParams = Omit<RequestRow, 'id'>;

/**
 * Converts a record to insert parameters, rejecting values SQLite would silently coerce
 * (NaN binds as NULL, `undefined` as NULL, a non-boolean flag as 0/1).
 */
export function toInsertParams(r: RequestRecord): InsertParams {
  return {
    start_time: finite(r.start_time, 'start_time'),
    method: text(r.method, 'method'),
    endpoint: text(r.endpoint, 'endpoint'),
    model: nullableText(r.model, 'model'),
    response_model: nullableText(r.response_model, 'response_model'),
    status_code: nullableFinite(r.status_code, 'status_code'),
    is_error: flag(r.is_error, 'is_error'),
    error_type: nullableText(r.error_type, 'error_type'),
    error_message: nullableText(r.error_message, 'error_message'),
    was_streamed: flag(r.was_streamed, 'was_streamed'),
    input_tokens: nullableFinite(r.input_tokens, 'input_tokens'),
    output_tokens: nullableFinite(r.output_tokens, 'output_tokens'),
    total_tokens: nullableFinite(r.total_tokens, 'total_tokens'),
    usage_source: text(r.usage_source, 'usage_source'),
    ttft_ms: nullableFinite(r.ttft_ms, 'ttft_ms'),
    duration_ms: finite(r.duration_ms, 'duration_ms'),
    tokens_per_second: nullableFinite(r.tokens_per_second, 'tokens_per_second'),
    finish_reason: nullableText(r.finish_reason, 'finish_reason'),
  };
}

export function fromRow(row: RequestRow): StoredRequest {
  return {
    id: row.id,
    start_time: new Date(row.start_time).toISOString(),
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
    usage_source: row.usage_source as UsageSource,
    ttft_ms: row.ttft_ms,
    duration_ms: row.duration_ms,
    tokens_per_second: row.tokens_per_second,
    finish_reason: row.finish_reason,
  };
}

function invalid(field: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${field} must be ${expected}, got ${String(value)}`);
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, value, 'a finite number');
  return value;
}

function nullableFinite(value: unknown, field: string): number | null {
  return value === null ? null : finite(value, field);
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
