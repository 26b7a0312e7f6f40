/**
 * What a batch of rows adds to the daily usage rollups: one delta per UTC day and combination of
 * dimensions. Every adapter applies these as additive upserts in the transaction that writes the
 * rows, so the rollups count each stored row exactly once, whatever crashes or restarts.
 */
import type { RequestRecord } from '../domain/request-record.js';
import { utcDay, type UsageTotals } from '../domain/usage.js';

export interface UsageDelta {
  readonly day: number;
  /** JSON array of the dimension values: the rollup row's key (it tells null from ''). */
  readonly dims: string;
  readonly model: string | null;
  readonly endpoint: string;
  readonly api_key_id: string | null;
  readonly user: string | null;
  readonly is_error: boolean;
  readonly was_streamed: boolean;
  readonly usage: MutableUsage;
}

type MutableUsage = { -readonly [K in keyof UsageTotals]: UsageTotals[K] };

/** Groups validated records into their rollup deltas. */
export function usageDeltas(records: readonly RequestRecord[]): UsageDelta[] {
  const deltas = new Map<string, UsageDelta>();
  for (const r of records) {
    const day = utcDay(r.start_time);
    const isError = r.is_error ? 1 : 0;
    const streamed = r.was_streamed ? 1 : 0;
    const dims = JSON.stringify([r.model, r.endpoint, r.api_key_id, r.user, isError, streamed]);
    const id = `${day}:${dims}`;
    let delta = deltas.get(id);
    if (delta === undefined) {
      delta = {
        day, dims, model: r.model, endpoint: r.endpoint, api_key_id: r.api_key_id, user: r.user,
        is_error: r.is_error, was_streamed: r.was_streamed,
        usage: {
          requests: 0, errors: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0,
          cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 0, duration_ms: 0,
        },
      };
      deltas.set(id, delta);
    }
    const u = delta.usage;
    u.requests += 1;
    u.errors += isError;
    u.input_tokens += r.input_tokens ?? 0;
    u.output_tokens += r.output_tokens ?? 0;
    u.total_tokens += r.total_tokens ?? 0;
    u.cached_input_tokens += r.cached_input_tokens ?? 0;
    u.reasoning_tokens += r.reasoning_tokens ?? 0;
    u.cost_usd += r.cost_usd ?? 0;
    u.duration_ms += r.duration_ms;
  }
  return [...deltas.values()];
}
