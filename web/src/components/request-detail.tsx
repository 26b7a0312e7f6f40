import { useEffect, useRef } from 'react';
import type { StoredRequest } from '../lib/api-types.js';
import { requestPath } from '../lib/api-query.js';
import { detailRows } from '../lib/request-fields.js';
import { useApi } from '../hooks/use-api.js';
import { ApiErrorMessage } from './panel.js';

/**
 * One request with every recorded field, in a modal dialog (focus stays inside; Escape closes).
 * Its id is in the URL, so a link can open it.
 */
export function RequestDetail({ id, onClose }: { readonly id: number; readonly onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const request = useApi<StoredRequest>(requestPath(id));

  useEffect(() => {
    const el = dialog.current;
    if (el !== null && !el.open) el.showModal();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="detail-dialog"
      aria-labelledby="detail-title"
      data-state={request.error ? 'error' : request.data ? 'ready' : 'loading'}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === dialog.current) dialog.current.close(); // a click on the backdrop
      }}
    >
      <header className="panel-header">
        <h2 id="detail-title">Request {id}</h2>
        <button type="button" onClick={() => dialog.current?.close()} aria-label="Close the request detail">Close</button>
      </header>
      {request.error && <ApiErrorMessage what={`request ${id}`} error={request.error} />}
      {!request.error && !request.data && <p className="muted">Loading…</p>}
      {request.data && (
        <>
          <dl className="detail-fields">
            {detailRows(request.data).map((row) => (
              <div key={row.field} className="detail-field" data-field={row.field}>
                <dt>{row.label}</dt>
                <dd>{row.value}</dd>
              </div>
            ))}
          </dl>
          <details className="raw-json">
            <summary>Raw JSON</summary>
            <pre>{JSON.stringify(request.data, null, 2)}</pre>
          </details>
        </>
      )}
    </dialog>
  );
}
