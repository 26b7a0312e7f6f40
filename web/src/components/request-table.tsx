import type { StoredRequest } from '../lib/api-types.js';
import { formatCount, formatDuration, formatTimestamp, formatTokensPerSecond, MISSING } from '../lib/format.js';

interface RequestTableProps {
  readonly rows: readonly StoredRequest[];
  readonly onOpen: (id: number) => void;
}

function statusText(r: StoredRequest): string {
  const code = r.status_code === null ? 'no response' : String(r.status_code);
  return r.error_type === null ? code : `${code} ${r.error_type}`;
}

/** One page of requests; each row's time opens its detail. */
export function RequestTable({ rows, onOpen }: RequestTableProps) {
  return (
    <div className="table-scroll">
      <table className="data-table request-table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Model</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Status</th>
            <th scope="col">Stream</th>
            <th scope="col" className="num">In</th>
            <th scope="col" className="num">Out</th>
            <th scope="col" className="num">TTFT</th>
            <th scope="col" className="num">Duration</th>
            <th scope="col" className="num">Speed</th>
            <th scope="col">User</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-request-id={r.id} className={r.is_error ? 'row-error' : undefined} onClick={() => onOpen(r.id)}>
              <td>
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Request ${r.id} at ${formatTimestamp(r.start_time)}: show every field`}
                  onClick={(e) => {
                    e.stopPropagation();
                    onOpen(r.id);
                  }}
                >
                  {formatTimestamp(r.start_time)}
                </button>
              </td>
              <td data-column="model">{r.model ?? MISSING}</td>
              <td data-column="endpoint">{r.endpoint}</td>
              <td data-column="status">
                <span className={r.is_error ? 'badge badge-error' : 'badge badge-ok'}>{statusText(r)}</span>
              </td>
              <td data-column="streamed">{r.was_streamed ? 'yes' : 'no'}</td>
              <td className="num" data-column="input-tokens">{formatCount(r.input_tokens)}</td>
              <td className="num" data-column="output-tokens">{formatCount(r.output_tokens)}</td>
              <td className="num" data-column="ttft">{formatDuration(r.ttft_ms)}</td>
              <td className="num" data-column="duration">{formatDuration(r.duration_ms)}</td>
              <td className="num" data-column="speed">{formatTokensPerSecond(r.tokens_per_second)}</td>
              <td data-column="user">{r.user ?? MISSING}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
