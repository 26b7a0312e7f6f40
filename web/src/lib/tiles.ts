/** The overview's tiles: which figure of `/stats/summary` each shows, how, and which way is better. */
import type { Summary } from './api-types.js';
import type { Better, ChangeKind } from './change.js';
import { formatCount, formatDuration, formatPercent, formatTokensPerSecond, formatUsd } from './format.js';

export interface TileSpec {
  readonly id: string;
  readonly label: string;
  readonly value: (s: Summary) => number | null;
  readonly format: (value: number | null) => string;
  readonly change: ChangeKind;
  readonly better: Better;
  /** A line under the value giving context, when there is one. */
  readonly note?: (s: Summary) => string | null;
}

export function successRate(s: Summary): number | null {
  return s.total_requests === 0 ? null : s.successful_requests / s.total_requests;
}

export const TILES: readonly TileSpec[] = [
  {
    id: 'requests', label: 'Requests', value: (s) => s.total_requests, format: formatCount, change: 'relative', better: null,
    note: (s) => (s.failed_requests > 0 ? `${formatCount(s.failed_requests)} failed` : null),
  },
  { id: 'success-rate', label: 'Success rate', value: successRate, format: formatPercent, change: 'points', better: 'higher' },
  {
    id: 'input-tokens', label: 'Input tokens', value: (s) => s.total_input_tokens, format: formatCount, change: 'relative', better: null,
    note: (s) => (s.total_requests > s.requests_with_usage ? `usage known for ${formatCount(s.requests_with_usage)} requests` : null),
  },
  { id: 'output-tokens', label: 'Output tokens', value: (s) => s.total_output_tokens, format: formatCount, change: 'relative', better: null },
  {
    id: 'cost', label: 'Cost', value: (s) => s.cost_usd, format: formatUsd, change: 'relative', better: null,
    note: (s) => (s.priced_requests < s.total_requests ? `${formatCount(s.priced_requests)} of ${formatCount(s.total_requests)} priced` : null),
  },
  { id: 'duration-p50', label: 'Duration p50', value: (s) => s.duration_ms.p50, format: formatDuration, change: 'relative', better: 'lower' },
  { id: 'duration-p95', label: 'Duration p95', value: (s) => s.duration_ms.p95, format: formatDuration, change: 'relative', better: 'lower' },
  { id: 'ttft-p50', label: 'TTFT p50', value: (s) => s.ttft_ms.p50, format: formatDuration, change: 'relative', better: 'lower' },
  { id: 'ttft-p95', label: 'TTFT p95', value: (s) => s.ttft_ms.p95, format: formatDuration, change: 'relative', better: 'lower' },
  {
    id: 'tokens-per-second', label: 'Median speed', value: (s) => s.tokens_per_second.p50, format: formatTokensPerSecond,
    change: 'relative', better: 'higher',
  },
];
