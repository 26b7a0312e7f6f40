/** The `/metrics` completion overview over selected rows (already limited to completion endpoints). */
import type { CompletionOverview, CompletionSide } from './types.js';
import { BIT_DURATION, BIT_ERROR, BIT_STREAMED, BIT_TPS, BIT_TTFT, BIT_TTLT, BIT_USAGE, type Columns } from './columns.js';

/** Name used for rows without a model or origin in the distributions (and errors without a type). */
export const UNKNOWN = 'unknown';

// Accumulator slots per side (0 = non-streamed, 1 = streamed).
const TOTAL = 0;
const FAILED = 1;
const REPORTED = 2;
const PROMPT = 3;
const COMPLETION = 4;
const TOKENS = 5;
const TPS_N = 6;
const TPS_SUM = 7;
const DUR_N = 8;
const DUR_SUM = 9;
const TTFT_N = 10;
const TTFT_SUM = 11;
const TTLT_N = 12;
const TTLT_SUM = 13;
const GEN_N = 14;
const GEN_SUM = 15;
const SLOTS = 16;

export function completionOverview(cols: Columns, sel: Int32Array, n: number): CompletionOverview {
  // Imported bindings copied to locals: some loaders turn them into getters, too slow per row.
  const bitError = BIT_ERROR;
  const bitStreamed = BIT_STREAMED;
  const bitUsage = BIT_USAGE;
  const bitTps = BIT_TPS;
  const bitDuration = BIT_DURATION;
  const bitTtft = BIT_TTFT;
  const bitTtlt = BIT_TTLT;
  const acc = new Float64Array(2 * SLOTS);
  // Slot 0 of each count array is "none" (dictionary id -1), slot id + 1 is dictionary id `id`.
  const errorTypeSlots = cols.errorTypes.size + 1;
  const errorTypes = new Float64Array(2 * errorTypeSlots);
  const models = new Float64Array(cols.models.size + 1);
  const origins = new Float64Array(cols.origins.size + 1);
  const flags = cols.flags;
  const inTok = cols.inputTokens;
  const outTok = cols.outputTokens;
  const totTok = cols.totalTokens;
  const tps = cols.tps;
  const dur = cols.duration;
  const ttft = cols.ttft;
  const ttlt = cols.ttlt;
  const model = cols.model;
  const origin = cols.origin;
  const errorType = cols.errorType;
  // Branch-free: nulls are stored as 0 and presence comes from the flag bits.
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const f = flags[i]!;
    const side = (f >> bitStreamed) & 1;
    const b = side * SLOTS;
    const failed = (f >> bitError) & 1;
    acc[b + TOTAL]! += 1;
    acc[b + FAILED]! += failed;
    errorTypes[side * errorTypeSlots + errorType[i]! + 1]! += failed;
    acc[b + REPORTED]! += (f >> bitUsage) & 1;
    acc[b + PROMPT]! += inTok[i]!;
    acc[b + COMPLETION]! += outTok[i]!;
    acc[b + TOKENS]! += totTok[i]!;
    acc[b + TPS_N]! += (f >> bitTps) & 1;
    acc[b + TPS_SUM]! += tps[i]!;
    acc[b + DUR_N]! += (f >> bitDuration) & 1;
    acc[b + DUR_SUM]! += dur[i]!;
    const first = ttft[i]!;
    const last = ttlt[i]!;
    acc[b + TTFT_N]! += (f >> bitTtft) & 1;
    acc[b + TTFT_SUM]! += first;
    acc[b + TTLT_N]! += (f >> bitTtlt) & 1;
    acc[b + TTLT_SUM]! += last;
    const both = (f >> bitTtft) & (f >> bitTtlt) & 1;
    acc[b + GEN_N]! += both;
    acc[b + GEN_SUM]! += both * (last - first);
    models[model[i]! + 1]! += 1;
    origins[origin[i]! + 1]! += 1;
  }
  const side = (s: number): CompletionSide => {
    const b = s * SLOTS;
    const total = acc[b + TOTAL]!;
    const failed = acc[b + FAILED]!;
    return {
      total,
      successful: total - failed,
      failed,
      tokens_reported: acc[b + REPORTED]!,
      prompt_tokens: acc[b + PROMPT]!,
      completion_tokens: acc[b + COMPLETION]!,
      total_tokens: acc[b + TOKENS]!,
      avg_tokens_per_second: mean(acc, b + TPS_N),
      error_types: counts(errorTypes.subarray(s * errorTypeSlots, (s + 1) * errorTypeSlots), cols.errorTypes.values),
      avg_duration_ms: mean(acc, b + DUR_N),
      avg_ttft_ms: mean(acc, b + TTFT_N),
      avg_ttlt_ms: mean(acc, b + TTLT_N),
      avg_generation_ms: mean(acc, b + GEN_N),
    };
  };
  return {
    streamed: side(1),
    non_streamed: side(0),
    model_distribution: counts(models, cols.models.values),
    origin_distribution: counts(origins, cols.origins.values),
  };
}

/** Sum ÷ count from a count slot followed by its sum slot; null when the count is 0. */
function mean(acc: Float64Array, countSlot: number): number | null {
  const c = acc[countSlot]!;
  return c === 0 ? null : acc[countSlot + 1]! / c;
}

/** Non-zero counts by name; slot 0 is UNKNOWN (merged with a value named so), slot id + 1 is names[id]. */
function counts(values: Float64Array, names: readonly string[]): Record<string, number> {
  const merged = new Map<string, number>();
  for (let slot = 0; slot < values.length; slot++) {
    const c = values[slot]!;
    if (c === 0) continue;
    const name = slot === 0 ? UNKNOWN : names[slot - 1]!;
    merged.set(name, (merged.get(name) ?? 0) + c);
  }
  // fromEntries defines own properties, so a name like "__proto__" stays an ordinary key.
  return Object.fromEntries(merged);
}
