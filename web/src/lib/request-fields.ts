/**
 * How the request detail view shows each recorded field. Every field of the API's answer is
 * shown: the known ones in this order with a label and unit, any other (a newer server's) after
 * them as raw JSON.
 */
import type { StoredRequest } from './api-types.js';
import { formatCount, formatDuration, formatTimestamp, formatTokensPerSecond, formatUsd, MISSING } from './format.js';

type Formatter = (value: unknown) => string;

const text: Formatter = (v) => (v === null || v === undefined || v === '' ? MISSING : String(v));
const count: Formatter = (v) => (typeof v === 'number' ? formatCount(v) : MISSING);
const duration: Formatter = (v) => (typeof v === 'number' ? formatDuration(v) : MISSING);
const speed: Formatter = (v) => (typeof v === 'number' ? formatTokensPerSecond(v) : MISSING);
const yesNo: Formatter = (v) => (v === true ? 'yes' : v === false ? 'no' : MISSING);
const tags: Formatter = (v) => {
  const entries = Object.entries((v ?? {}) as Record<string, string>);
  return entries.length === 0 ? MISSING : entries.map(([k, val]) => `${k}=${val}`).join(', ');
};

export const REQUEST_FIELDS: ReadonlyArray<readonly [field: keyof StoredRequest & string, label: string, format: Formatter]> = [
  ['id', 'ID', text],
  ['start_time', 'Started', (v) => (typeof v === 'string' ? `${formatTimestamp(v)} (${v})` : MISSING)],
  ['method', 'Method', text],
  ['endpoint', 'Endpoint', text],
  ['model', 'Model', text],
  ['response_model', 'Response model', text],
  ['status_code', 'Status code', text],
  ['is_error', 'Error', yesNo],
  ['error_type', 'Error type', text],
  ['error_message', 'Error message', text],
  ['was_streamed', 'Streamed', yesNo],
  ['input_tokens', 'Input tokens', count],
  ['output_tokens', 'Output tokens', count],
  ['total_tokens', 'Total tokens', count],
  ['cached_input_tokens', 'Cached input tokens', count],
  ['reasoning_tokens', 'Reasoning tokens', count],
  ['usage_source', 'Usage source', text],
  ['ttft_ms', 'Time to first token', duration],
  ['ttlt_ms', 'Time to last token', duration],
  ['duration_ms', 'Duration', duration],
  ['tokens_per_second', 'Generation speed', speed],
  ['finish_reason', 'Finish reason', text],
  ['message_count', 'Messages', count],
  ['origin', 'Origin', text],
  ['api_key_id', 'API key', text],
  ['user', 'User', text],
  ['tags', 'Tags', tags],
  ['cost_usd', 'Cost', (v) => (typeof v === 'number' ? formatUsd(v) : MISSING)],
  ['cache_creation_input_tokens', 'Cache write tokens', count],
  ['tool_calls', 'Tool calls', count],
  ['backend_prompt_ms', 'Backend prompt time', duration],
  ['backend_generation_ms', 'Backend generation time', duration],
  ['backend_tokens_per_second', 'Backend speed', speed],
  ['backend_load_ms', 'Backend load time', duration],
  ['backend_total_ms', 'Backend total time', duration],
];

export interface DetailRow {
  readonly field: string;
  readonly label: string;
  readonly value: string;
}

export function detailRows(request: StoredRequest): DetailRow[] {
  const record = request as unknown as Record<string, unknown>;
  const known = new Set<string>(REQUEST_FIELDS.map(([field]) => field));
  const rows: DetailRow[] = REQUEST_FIELDS.filter(([field]) => field in record).map(([field, label, format]) => ({
    field,
    label,
    value: format(record[field]),
  }));
  for (const [field, value] of Object.entries(record)) {
    if (!known.has(field)) rows.push({ field, label: field, value: JSON.stringify(value) });
  }
  return rows;
}
