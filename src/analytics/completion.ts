/**
 * The `/metrics` completion overview, split by streamed / non-streamed, from CompletionTotals
 * (completion-totals.ts).
 */
import type { CompletionOverview, CompletionSide } from './types.js';
import { BIT_DURATION, BIT_ERROR, BIT_STREAMED, BIT_TPS, BIT_TTFT, BIT_TTLT, BIT_USAGE, type Columns } from './columns.js';
import { CODE_MASK, type CompletionTotals, SIDE_SUMS } from './completion-totals.js';

/** Name used for rows without a model or origin in the distributions (and errors without a type). */
export const UNKNOWN = 'unknown';

/** The overview from totals of rows already limited to completion endpoints. */
export function completionOverview(cols: Columns, totals: CompletionTotals): CompletionOverview {
  const { hist, models, origins, errorTypes, errorTypeSlots } = totals;
  const mask = CODE_MASK;
  const side = (streamed: 0 | 1): CompletionSide => {
    const count = (bit: number): number => {
      let c = 0;
      for (let code = 0; code <= mask; code++) {
        if (((code >> BIT_STREAMED) & 1) === streamed && (bit < 0 || ((code >> bit) & 1) === 1)) c += hist[code]!;
      }
      return c;
    };
    const sum = (slot: number): number => totals.sums[streamed * SIDE_SUMS + slot]!;
    const mean = (slot: number, c: number): number | null => (c === 0 ? null : sum(slot) / c);
    const total = count(-1);
    const failed = count(BIT_ERROR);
    let generation = 0;
    for (let code = 0; code <= mask; code++) {
      const both = ((code >> BIT_TTFT) & 1) === 1 && ((code >> BIT_TTLT) & 1) === 1;
      if (((code >> BIT_STREAMED) & 1) === streamed && both) generation += hist[code]!;
    }
    return {
      total,
      successful: total - failed,
      failed,
      tokens_reported: count(BIT_USAGE),
      prompt_tokens: sum(0),
      completion_tokens: sum(1),
      total_tokens: sum(2),
      avg_tokens_per_second: mean(3, count(BIT_TPS)),
      error_types: named(errorTypes.subarray(streamed * errorTypeSlots, (streamed + 1) * errorTypeSlots), cols.errorTypes.values),
      avg_duration_ms: mean(4, count(BIT_DURATION)),
      avg_ttft_ms: mean(5, count(BIT_TTFT)),
      avg_ttlt_ms: mean(6, count(BIT_TTLT)),
      avg_generation_ms: mean(7, generation),
    };
  };
  return {
    streamed: side(1),
    non_streamed: side(0),
    model_distribution: named(models, cols.models.values),
    origin_distribution: named(origins, cols.origins.values),
  };
}

/** Non-zero counts by name; slot 0 is UNKNOWN (merged with a value named so), slot id + 1 is names[id]. */
function named(values: Float64Array, names: readonly string[]): Record<string, number> {
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
