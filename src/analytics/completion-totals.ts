/**
 * Running totals behind the `/metrics` completion overview (completion.ts): counts by flag bits,
 * model, origin and error type, and per-side sums. Rows are scanned in branch-free passes (each
 * quantity summed per side by multiplying with 0 or 1, which leaves float sums exact); sealed
 * blocks contribute pre-computed partials instead (rollups.ts).
 */
import { BIT_STREAMED, BIT_TTFT, BIT_TTLT, type Columns } from './columns.js';

/** Flag bits 0..7 (error, streamed, usage, cost, duration, ttft, tps, ttlt) as a histogram key. */
export const CODE_MASK = 0xff;
/** Per side: sums of [prompt, completion, total tokens, tps, duration, ttft, ttlt, ttlt − ttft]. */
export const SIDE_SUMS = 8;

const KIND_CODE = 0;
const KIND_MODEL = 1;
const KIND_ORIGIN = 2;
const KIND_ERROR_TYPE = 3;

/** A block's totals over its completion rows: sums (2 × SIDE_SUMS) and non-zero counts as [kind, slot, count] triples. */
export interface CompletionPartial {
  readonly sums: Float64Array;
  readonly counts: Int32Array;
}

export class CompletionTotals {
  readonly hist = new Float64Array(CODE_MASK + 1);
  /** Slot 0 is "none" (id -1), slot id + 1 is id. */
  readonly models: Float64Array;
  readonly origins: Float64Array;
  readonly errorTypeSlots: number;
  /** Errors by type: non-streamed slots, then streamed slots. */
  readonly errorTypes: Float64Array;
  /** Non-streamed sums, then streamed sums. */
  readonly sums = new Float64Array(2 * SIDE_SUMS);

  constructor(cols: Columns) {
    this.models = new Float64Array(cols.models.size + 1);
    this.origins = new Float64Array(cols.origins.size + 1);
    this.errorTypeSlots = cols.errorTypes.size + 1;
    this.errorTypes = new Float64Array(2 * this.errorTypeSlots);
  }

  merge(p: CompletionPartial): void {
    for (let j = 0; j < 2 * SIDE_SUMS; j++) this.sums[j]! += p.sums[j]!;
    const c = p.counts;
    for (let j = 0; j < c.length; j += 3) {
      const slot = c[j + 1]!;
      const count = c[j + 2]!;
      switch (c[j]) {
        case KIND_CODE: this.hist[slot]! += count; break;
        case KIND_MODEL: this.models[slot]! += count; break;
        case KIND_ORIGIN: this.origins[slot]! += count; break;
        default: this.errorTypes[((slot >> 16) & 1) * this.errorTypeSlots + (slot & 0xffff)]! += count;
      }
    }
  }

  /** These totals as a partial (a block's, when it holds only that block). */
  pack(): CompletionPartial {
    const triples: number[] = [];
    const add = (kind: number, values: Float64Array, slotOf: (j: number) => number) => {
      for (let j = 0; j < values.length; j++) if (values[j] !== 0) triples.push(kind, slotOf(j), values[j]!);
    };
    add(KIND_CODE, this.hist, (j) => j);
    add(KIND_MODEL, this.models, (j) => j);
    add(KIND_ORIGIN, this.origins, (j) => j);
    const slots = this.errorTypeSlots;
    add(KIND_ERROR_TYPE, this.errorTypes, (j) => (j >= slots ? 1 << 16 : 0) | (j % slots));
    return { sums: this.sums.slice(), counts: Int32Array.from(triples) };
  }
}

/** The rows of a range kept by an endpoint table (scanCompletion). */
let keptRows = new Int32Array(256);

/**
 * Adds rows[from..to) to the totals; with `endpointTable`, only rows whose endpoint id is marked
 * 1 in it (a block holds rows of every endpoint).
 */
export function scanCompletion(
  cols: Columns, rows: Int32Array, from: number, to: number, totals: CompletionTotals, endpointTable: Uint8Array | null = null,
): void {
  if (endpointTable !== null) {
    if (keptRows.length < to - from) keptRows = new Int32Array(to - from);
    const kept = keptRows;
    const endpoint = cols.endpoint;
    let n = 0;
    for (let k = from; k < to; k++) {
      const id = endpoint[rows[k]!]!;
      if (id >= 0 && endpointTable[id] === 1) kept[n++] = rows[k]!;
    }
    scanCompletion(cols, kept, 0, n, totals);
    return;
  }
  const { flags, model, origin, errorType } = cols;
  const { hist, models, origins, errorTypes, errorTypeSlots } = totals;
  const mask = CODE_MASK;
  const bitStreamed = BIT_STREAMED;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const f = flags[i]!;
    hist[f & mask]!++;
    models[model[i]! + 1]! += 1;
    origins[origin[i]! + 1]! += 1;
    if ((f & 1) !== 0) errorTypes[((f >> bitStreamed) & 1) * errorTypeSlots + errorType[i]! + 1]! += 1;
  }
  sumSides(cols, rows, from, to, totals.sums);
}

/** Adds the per-side sums of rows[from..to) to `out` (non-streamed, then streamed), from locals. */
function sumSides(cols: Columns, rows: Int32Array, from: number, to: number, out: Float64Array): void {
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
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
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
  // Sums of the stored values (columns.ts: value × scale), divided by the scales at the end.
  let speed = 0;
  let speedS = 0;
  let dur = 0;
  let durS = 0;
  let first = 0;
  let firstS = 0;
  let last = 0;
  let lastS = 0;
  // Generation time (TTLT − TTFT where both are known), as the sums of both sides.
  let genLast = 0;
  let genLastS = 0;
  let genFirst = 0;
  let genFirstS = 0;
  for (let k = from; k < to; k++) {
    const i = rows[k]!;
    const f = flags[i]!;
    const s = (f >> bitStreamed) & 1;
    const ns = s ^ 1;
    const v = tps[i]!;
    const d = duration[i]!;
    const t1 = ttft[i]!;
    const t2 = ttlt[i]!;
    const both = (f >> bitTtft) & (f >> bitTtlt) & 1;
    const g2 = t2 * both;
    const g1 = t1 * both;
    speed += v * ns;
    speedS += v * s;
    dur += d * ns;
    durS += d * s;
    first += t1 * ns;
    firstS += t1 * s;
    last += t2 * ns;
    lastS += t2 * s;
    genLast += g2 * ns;
    genLastS += g2 * s;
    genFirst += g1 * ns;
    genFirstS += g1 * s;
  }
  const sScale = cols.tpsColumn.scale;
  const dScale = cols.durationColumn.scale;
  const fScale = cols.ttftColumn.scale;
  const lScale = cols.ttltColumn.scale;
  const sums = [
    prompt, completion, tokens, speed / sScale, dur / dScale, first / fScale, last / lScale, genLast / lScale - genFirst / fScale,
    promptS, completionS, tokensS, speedS / sScale, durS / dScale, firstS / fScale, lastS / lScale, genLastS / lScale - genFirstS / fScale,
  ];
  for (let j = 0; j < sums.length; j++) out[j]! += sums[j]!;
}
