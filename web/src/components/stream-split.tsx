import type { ReactNode } from 'react';
import type { GroupStats, StreamSplit as Split } from '../lib/api-types.js';
import { overviewPaths } from '../lib/api-query.js';
import { formatCount, formatDuration, formatTokensPerSecond } from '../lib/format.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { retentionOf } from '../lib/retention.js';
import { useApi } from '../hooks/use-api.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';

interface Row {
  readonly id: string;
  readonly label: string;
  readonly value: (s: GroupStats) => ReactNode;
}

const ROWS: readonly Row[] = [
  { id: 'requests', label: 'Requests', value: (s) => formatCount(s.requests) },
  { id: 'successful', label: 'Successful', value: (s) => formatCount(s.successful_requests) },
  { id: 'failed', label: 'Failed', value: (s) => formatCount(s.failed_requests) },
  {
    id: 'usage', label: 'Reported usage',
    value: (s) => `${formatCount(s.requests_with_usage)} of ${formatCount(s.requests)}`,
  },
  { id: 'input-tokens', label: 'Input tokens', value: (s) => formatCount(s.input_tokens) },
  { id: 'output-tokens', label: 'Output tokens', value: (s) => formatCount(s.output_tokens) },
  { id: 'duration', label: 'Avg duration', value: (s) => formatDuration(s.avg_duration_ms) },
  { id: 'ttft', label: 'Avg time to first token', value: (s) => formatDuration(s.avg_ttft_ms) },
  { id: 'speed', label: 'Avg speed', value: (s) => formatTokensPerSecond(s.avg_tokens_per_second) },
];

/**
 * Streamed and non-streamed requests side by side, as the OpenAI LLM metrics proxy showed them:
 * streams report usage only when the client asks (`stream_options.include_usage`), so how many
 * did is a figure of its own. Both sides come from one `/stats/by-streamed` read.
 */
export function StreamSplit({ window, filters }: { readonly window: TimeWindow; readonly filters: Filters }) {
  const split = useApi<Split>(overviewPaths(window, filters).split);
  const { error, data } = split;
  useRetentionReport('stream-split', retentionOf(data));
  const shown = filters.streamed === undefined ? 'both' : filters.streamed ? 'streamed' : 'plain';
  return (
    <Panel
      id="stream-split"
      title="Streamed vs non-streamed"
      state={panelState(split)}
      source={split.source}
    >
      {error && <ApiErrorMessage what="the streamed / non-streamed split" error={error} />}
      {!error && data && (
        <div className="table-scroll">
          <table className="split-table">
            <thead>
              <tr>
                <th scope="col"><span className="sr-only">Figure</span></th>
                {shown !== 'plain' && <th scope="col" className="num">Streamed</th>}
                {shown !== 'streamed' && <th scope="col" className="num">Non-streamed</th>}
              </tr>
            </thead>
            <tbody>
              {ROWS.map((row) => (
                <tr key={row.id} data-row={row.id}>
                  <th scope="row">{row.label}</th>
                  {shown !== 'plain' && <td className="num" data-side="streamed">{row.value(data.streamed)}</td>}
                  {shown !== 'streamed' && <td className="num" data-side="non-streamed">{row.value(data.non_streamed)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
