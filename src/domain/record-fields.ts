/**
 * The one table of a request row's fields (all but `tags`, which are pairs of their own). The
 * stores derive their columns, their row ↔ record mappers and record validation from it, so a
 * new field is one entry here plus its line in `RequestRecord` and a migration per adapter.
 * Wire names (`/stats/recent`) and column names are the field names.
 */
import type { RequestRecord } from './request-record.js';

/** `flag`: a boolean, stored as 0/1. `time`: epoch milliseconds (an integer). */
export type FieldType = 'time' | 'integer' | 'real' | 'text' | 'flag';

export interface RecordField {
  readonly name: Exclude<keyof RequestRecord, 'tags'>;
  readonly type: FieldType;
  readonly nullable: boolean;
  /** Producers may leave it out (fields added after the first release); read as null. */
  readonly optional?: true;
}

export const RECORD_FIELDS = [
  { name: 'start_time', type: 'time', nullable: false },
  { name: 'method', type: 'text', nullable: false },
  { name: 'endpoint', type: 'text', nullable: false },
  { name: 'model', type: 'text', nullable: true },
  { name: 'response_model', type: 'text', nullable: true },
  { name: 'status_code', type: 'integer', nullable: true },
  { name: 'is_error', type: 'flag', nullable: false },
  { name: 'error_type', type: 'text', nullable: true },
  { name: 'error_message', type: 'text', nullable: true },
  { name: 'was_streamed', type: 'flag', nullable: false },
  { name: 'input_tokens', type: 'integer', nullable: true },
  { name: 'output_tokens', type: 'integer', nullable: true },
  { name: 'total_tokens', type: 'integer', nullable: true },
  { name: 'cached_input_tokens', type: 'integer', nullable: true },
  { name: 'reasoning_tokens', type: 'integer', nullable: true },
  { name: 'usage_source', type: 'text', nullable: false },
  { name: 'ttft_ms', type: 'real', nullable: true },
  { name: 'ttlt_ms', type: 'real', nullable: true },
  { name: 'duration_ms', type: 'real', nullable: false },
  { name: 'tokens_per_second', type: 'real', nullable: true },
  { name: 'finish_reason', type: 'text', nullable: true },
  { name: 'message_count', type: 'integer', nullable: true },
  { name: 'origin', type: 'text', nullable: true },
  { name: 'api_key_id', type: 'text', nullable: true },
  { name: 'user', type: 'text', nullable: true },
  { name: 'cost_usd', type: 'real', nullable: true },
  { name: 'cache_creation_input_tokens', type: 'integer', nullable: true, optional: true },
  { name: 'tool_calls', type: 'integer', nullable: true, optional: true },
  { name: 'backend_prompt_ms', type: 'real', nullable: true, optional: true },
  { name: 'backend_generation_ms', type: 'real', nullable: true, optional: true },
  { name: 'backend_tokens_per_second', type: 'real', nullable: true, optional: true },
  { name: 'backend_load_ms', type: 'real', nullable: true, optional: true },
  { name: 'backend_total_ms', type: 'real', nullable: true, optional: true },
] as const satisfies readonly RecordField[];

export type FieldName = (typeof RECORD_FIELDS)[number]['name'];

// Compile-time check: every field of RequestRecord but `tags` has an entry.
type Unlisted = Exclude<keyof RequestRecord, 'tags' | FieldName>;
const everyFieldListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyFieldListed;

/** Column values as a SQL driver binds and returns them: flags 0/1, times epoch ms. */
export type ColumnValue = string | number | null;

/**
 * The record's value of `field` as a column value, rejecting what a database would silently
 * coerce or refuse only at write time (NaN and `undefined` bind as NULL, a non-boolean flag as
 * 0/1, a fraction in an INTEGER column fails a STRICT check and would look like a database failure).
 */
export function columnValue(record: RequestRecord, field: RecordField): ColumnValue {
  let value: unknown = record[field.name];
  if (value === undefined && field.optional === true) value = null;
  if (value === null && field.nullable) return null;
  switch (field.type) {
    case 'time':
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw invalid(field.name, value, 'an integer');
      return value;
    case 'real':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field.name, value, 'a finite number');
      return value;
    case 'text':
      if (typeof value !== 'string') throw invalid(field.name, value, 'a string');
      return value;
    case 'flag':
      if (typeof value !== 'boolean') throw invalid(field.name, value, 'a boolean');
      return value ? 1 : 0;
  }
}

/** A column value back as the record's value (flags as booleans). */
export function fieldValue(value: unknown, field: RecordField): unknown {
  return field.type === 'flag' ? value === 1 || value === true : (value ?? null);
}

export function invalid(field: string, value: unknown, expected: string): TypeError {
  return new TypeError(`${field} must be ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  return String(value);
}
