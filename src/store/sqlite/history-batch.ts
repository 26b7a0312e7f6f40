/**
 * A batch of stored rows as the history loader thread sends it to the data thread: the analytics
 * index's fields in typed arrays (transferred, not copied) and strings as codes into one table
 * that grows batch by batch. Structured-cloning a million row objects would cost the data thread
 * more than reading SQLite itself; this costs it one object literal per row. The tags are read by
 * the data thread itself (by the batch's id range), which balances the two threads' work.
 */
import type { AnalyticsRecord, ErrorType, UsageSource } from '../../domain/request-record.js';

/** Numeric fields, in this order per row; NaN stands for null. */
const NUMBERS = [
  'start_time', 'input_tokens', 'output_tokens', 'total_tokens', 'cached_input_tokens', 'reasoning_tokens',
  'ttft_ms', 'ttlt_ms', 'duration_ms', 'tokens_per_second', 'cost_usd',
] as const;
/** String fields, in this order per row; -1 stands for null. */
const STRINGS = ['endpoint', 'model', 'api_key_id', 'user', 'origin', 'error_type', 'usage_source'] as const;
const N = NUMBERS.length;
const S = STRINGS.length;

export interface HistoryBatch {
  readonly count: number;
  /** Id of the batch's last row. */
  readonly lastId: number;
  readonly numbers: Float64Array;
  readonly strings: Int32Array;
  /** Bit 0: is_error; bit 1: was_streamed. */
  readonly flags: Uint8Array;
  /** Strings first seen in this batch; their codes follow the previous batches'. */
  readonly newStrings: string[];
  /** The rows' ids, ascending. */
  readonly ids: Float64Array;
}

/** A raw row of `INDEX_COLUMNS` order: id, then the fields the index reads. */
export type IndexRow = [
  id: number, start_time: number, endpoint: string, model: string | null, is_error: number, was_streamed: number,
  usage_source: string, input_tokens: number | null, output_tokens: number | null, total_tokens: number | null,
  cached_input_tokens: number | null, reasoning_tokens: number | null, ttft_ms: number | null, ttlt_ms: number | null,
  duration_ms: number, tokens_per_second: number | null, cost_usd: number | null, api_key_id: string | null,
  user: string | null, origin: string | null, error_type: string | null,
];

export const INDEX_COLUMNS = `id, start_time, endpoint, model, is_error, was_streamed, usage_source,
  input_tokens, output_tokens, total_tokens, cached_input_tokens, reasoning_tokens,
  ttft_ms, ttlt_ms, duration_ms, tokens_per_second, cost_usd, api_key_id, user, origin, error_type`;

/** The loader's side: string codes shared by every batch of one load. */
export class BatchEncoder {
  private readonly codes = new Map<string, number>();

  encode(rows: readonly IndexRow[]): HistoryBatch {
    const count = rows.length;
    const numbers = new Float64Array(count * N);
    const strings = new Int32Array(count * S);
    const flags = new Uint8Array(count);
    const ids = new Float64Array(count);
    const newStrings: string[] = [];
    const code = (value: string | null): number => {
      if (value === null) return -1;
      let c = this.codes.get(value);
      if (c === undefined) {
        c = this.codes.size;
        this.codes.set(value, c);
        newStrings.push(value);
      }
      return c;
    };
    const num = (v: number | null): number => (v === null ? NaN : v);
    for (let i = 0; i < count; i++) {
      const v = rows[i]!;
      ids[i] = v[0];
      const n = i * N;
      numbers[n] = v[1];
      numbers[n + 1] = num(v[7]);
      numbers[n + 2] = num(v[8]);
      numbers[n + 3] = num(v[9]);
      numbers[n + 4] = num(v[10]);
      numbers[n + 5] = num(v[11]);
      numbers[n + 6] = num(v[12]);
      numbers[n + 7] = num(v[13]);
      numbers[n + 8] = v[14];
      numbers[n + 9] = num(v[15]);
      numbers[n + 10] = num(v[16]);
      const s = i * S;
      strings[s] = code(v[2]);
      strings[s + 1] = code(v[3]);
      strings[s + 2] = code(v[17]);
      strings[s + 3] = code(v[18]);
      strings[s + 4] = code(v[19]);
      strings[s + 5] = code(v[20]);
      strings[s + 6] = code(v[6]);
      flags[i] = (v[4] === 1 ? 1 : 0) | (v[5] === 1 ? 2 : 0);
    }
    return { count, lastId: rows[count - 1]?.[0] ?? 0, numbers, strings, flags, newStrings, ids };
  }
}

/** The data thread's side: the string table grows with each batch, in order. */
export class BatchDecoder {
  private readonly table: string[] = [];

  /** `tagRows`: the `request_tags` rows of the batch's ids (request_id, key, value). */
  decode(batch: HistoryBatch, tagRows: ReadonlyArray<readonly [number, string, string]>): AnalyticsRecord[] {
    for (const s of batch.newStrings) this.table.push(s);
    const { count, numbers, strings, flags } = batch;
    const table = this.table;
    const str = (c: number): string | null => (c < 0 ? null : (table[c] as string));
    const num = (v: number): number | null => (Number.isNaN(v) ? null : v);
    const tagsOf = new Map<number, Record<string, string>>();
    for (const [id, key, value] of tagRows) {
      let held = tagsOf.get(id);
      if (held === undefined) tagsOf.set(id, (held = Object.create(null) as Record<string, string>));
      held[key] = value;
    }
    const ids = batch.ids;
    const records = new Array<AnalyticsRecord>(count);
    for (let i = 0; i < count; i++) {
      const n = i * N;
      const s = i * S;
      const f = flags[i]!;
      records[i] = {
        start_time: numbers[n]!,
        endpoint: table[strings[s]!]!,
        model: str(strings[s + 1]!),
        is_error: (f & 1) !== 0,
        was_streamed: (f & 2) !== 0,
        usage_source: table[strings[s + 6]!] as UsageSource,
        input_tokens: num(numbers[n + 1]!),
        output_tokens: num(numbers[n + 2]!),
        total_tokens: num(numbers[n + 3]!),
        cached_input_tokens: num(numbers[n + 4]!),
        reasoning_tokens: num(numbers[n + 5]!),
        ttft_ms: num(numbers[n + 6]!),
        ttlt_ms: num(numbers[n + 7]!),
        duration_ms: numbers[n + 8]!,
        tokens_per_second: num(numbers[n + 9]!),
        cost_usd: num(numbers[n + 10]!),
        api_key_id: str(strings[s + 2]!),
        user: str(strings[s + 3]!),
        origin: str(strings[s + 4]!),
        error_type: str(strings[s + 5]!) as ErrorType | null,
        tags: tagsOf.get(ids[i]!) ?? NO_TAGS,
      };
    }
    return records;
  }
}

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);

/** Transferable buffers of a batch (postMessage moves them instead of copying). */
export function batchBuffers(batch: HistoryBatch): ArrayBuffer[] {
  return [batch.numbers.buffer, batch.strings.buffer, batch.flags.buffer, batch.ids.buffer] as ArrayBuffer[];
}
