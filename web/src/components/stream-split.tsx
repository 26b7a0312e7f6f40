import type { ReactNode } from 'react';
import type { Summary } from '../lib/api-types.js';
import { statsPath } from '../lib/api-query.js';
import { formatCount, formatDuration, formatTokensPerSecond } from '../lib/format.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { useApi } from '../hooks/use-api.js';
import { ApiErrorMessage, Panel, panelState } from './panel.js';

interface Row {
  readonly id: string;
  readonly label: string;
  readonly value: (s: Summary) => ReactNode;
}

const ROWS: readonly Row[] = [
  { id: 'requests', label: 'Requests', value: (s) => formatCount(s.total_requests) },
  { id: 'successful', label: 'Successful', value: (s) => formatCount(s.successful_requests) },
  { id: 'failed', label: 'Failed', value: (s) => formatCount(s.failed_requests) },
  {
    id: 'usage', label: 'Reported usage',
    value: (s) => `${formatCount(s.requests_with_usage)} of ${formatCount(s.total_requests)}`,
  },
  { id: 'input-tokens', label: 'Input tokens', value: (s) => formatCount(s.total_input_tokens) },
  { id: 'output-tokens', label: 'Output tokens', value: (s) => formatCount(s.total_output_tokens) },
  { id: 'duration', label: 'Avg duration', value: (s) => formatDuration(s.average_duration_ms) },
  { id: 'ttft', label: 'Avg time to first token', value: (s) => formatDuration(s.average_ttft_ms) },
  { id: 'speed', label: 'Avg speed', value: (s) => formatTokensPerSecond(s.average_tokens_per_second) },
];

/**
 * Streamed and non-streamed requests side by side, as the OpenAI LLM metrics proxy showed them:
 * streams report usage only when the client asks (`stream_options.include_usage`), so how many
 * did is a figure of its own.
 */
export function StreamSplit({ window, filters }: { readonly window: TimeWindow; readonly filters: Filters }) {
  const streamed = useApi<Summary>(statsPath('summary', window, { ...filters, streamed: true }));
  const plain = useApi<Summary>(statsPath('summary', window, { ...filters, streamed: false }));
  const error = streamed.error ?? plain.error;
  const shown = filters.streamed === undefined ? 'both' : filters.streamed ? 'streamed' : 'plain';
  return (
    <Panel
      id="stream-split"
      title="Streamed vs non-streamed"
      state={panelState(streamed, plain)}
      source={streamed.source && plain.source && `${streamed.source} ${plain.source}`}
    >
      {error && <ApiErrorMessage what="the streamed / non-streamed split" error={error} />}
      {!error && streamed.data && plain.data && (
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
                  {shown !== 'plain' && <td className="num" data-side="streamed">{row.value(streamed.data!)}</td>}
                  {shown !== 'streamed' && <td className="num" data-side="non-streamed">{row.value(plain.data!)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
