/**
 * The `/metrics` completion overview over selected rows (already limited to completion
 * endpoints), split by streamed / non-streamed. Like accumulate.ts: branch-free passes with sums
 * in locals (each quantity summed per side by multiplying with 0 or 1, which leaves float sums
 * exact), counts from a histogram of the low flag bits.
 */
import type { CompletionOverview, CompletionSide } from './types.js';
import { BIT_DURATION, BIT_ERROR, BIT_STREAMED, BIT_TPS, BIT_TTFT, BIT_TTLT, BIT_USAGE, type Columns } from './columns.js';

/** Name used for rows without a model or origin in the distributions (and errors without a type). */
export const UNKNOWN = 'unknown';

/** Flag bits 0..7 (error, streamed, usage, cost, duration, ttft, tps, ttlt) as a histogram key. */
const CODE_MASK = 0xff;

/** Per side: sums of [prompt, completion, total tokens, tps, duration, ttft, ttlt, ttlt − ttft]. */
interface SideSums {
  nonStreamed: Float64Array;
  streamed: Float64Array;
}

export function completionOverview(cols: Columns, sel: Int32Array, n: number): CompletionOverview {
  const { flags, model, origin, errorType } = cols;
  // Pass 1: counts. Slot 0 of the dictionary count arrays is "none" (id -1), slot id + 1 is id.
  const hist = new Int32Array(CODE_MASK + 1);
  const models = new Float64Array(cols.models.size + 1);
  const origins = new Float64Array(cols.origins.size + 1);
  const errorTypeSlots = cols.errorTypes.size + 1;
  const errorTypes = new Float64Array(2 * errorTypeSlots);
  const mask = CODE_MASK;
  const bitStreamed = BIT_STREAMED;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const f = flags[i]!;
    hist[f & mask]!++;
    models[model[i]! + 1]! += 1;
    origins[origin[i]! + 1]! += 1;
    if ((f & 1) !== 0) errorTypes[((f >> bitStreamed) & 1) * errorTypeSlots + errorType[i]! + 1]! += 1;
  }
  const sums = sumSides(cols, sel, n);
  const side = (streamed: 0 | 1): CompletionSide => {
    const count = (bit: number): number => {
      let c = 0;
      for (let code = 0; code <= mask; code++) {
        if (((code >> BIT_STREAMED) & 1) === streamed && (bit < 0 || ((code >> bit) & 1) === 1)) c += hist[code]!;
      }
      return c;
    };
    const sum = (slot: number): number => (streamed ? sums.streamed : sums.nonStreamed)[slot]!;
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

/** Sums over non-streamed and streamed rows, in locals (absent values are stored as 0). */
function sumSides(cols: Columns, sel: Int32Array, n: number): SideSums {
  const { flags, inputTokens, outputTokens, totalTokens, tps, duration, ttft, ttlt } = cols;
  const bitStreamed = BIT_STREAMED;
  const bitTtft = BIT_TTFT;
  const bitTtlt = BIT_TTLT;
  let prompt = 0;
  let promptS = 0;
  let completion = 0;
  let completionS = 0;
  let tokens = 0;
  let tokensS = 0;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const s = (flags[i]! >> bitStreamed) & 1;
    const ns = s ^ 1;
    const a = inputTokens[i]!;
    const b = outputTokens[i]!;
    const c = totalTokens[i]!;
    prompt += a * ns;
    promptS += a * s;
    completion += b * ns;
    completionS += b * s;
    tokens += c * ns;
    tokensS += c * s;
  }
  let speed = 0;
  let speedS = 0;
  let dur = 0;
  let durS = 0;
  let first = 0;
  let firstS = 0;
  let last = 0;
  let lastS = 0;
  let gen = 0;
  let genS = 0;
  for (let k = 0; k < n; k++) {
    const i = sel[k]!;
    const f = flags[i]!;
    const s = (f >> bitStreamed) & 1;
    const ns = s ^ 1;
    const v = tps[i]!;
    const d = duration[i]!;
    const t1 = ttft[i]!;
    const t2 = ttlt[i]!;
    const g = (t2 - t1) * ((f >> bitTtft) & (f >> bitTtlt) & 1);
    speed += v * ns;
    speedS += v * s;
    dur += d * ns;
    durS += d * s;
    first += t1 * ns;
    firstS += t1 * s;
    last += t2 * ns;
    lastS += t2 * s;
    gen += g * ns;
    genS += g * s;
  }
  return {
    nonStreamed: Float64Array.of(prompt, completion, tokens, speed, dur, first, last, gen),
    streamed: Float64Array.of(promptS, completionS, tokensS, speedS, durS, firstS, lastS, genS),
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
