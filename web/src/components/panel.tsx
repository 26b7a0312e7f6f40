import type { ReactNode } from 'react';
import type { ApiError } from '../lib/api-client.js';

export type PanelState = 'loading' | 'ready' | 'error';

interface PanelProps {
  readonly id: string;
  readonly title: string;
  readonly state: PanelState;
  /** The API path whose answer is on screen (tests and debugging read it). */
  readonly source: string | null;
  readonly actions?: ReactNode;
  readonly className?: string;
  readonly children: ReactNode;
}

/** A titled section of the dashboard that shows its own loading and error state. */
export function Panel({ id, title, state, source, actions, className, children }: PanelProps) {
  return (
    <section
      className={`panel ${className ?? ''}`}
      aria-labelledby={`${id}-title`}
      aria-busy={state === 'loading'}
      data-panel={id}
      data-state={state}
      data-source={source ?? ''}
    >
      <header className="panel-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

/** An API failure, in place of what could not be loaded. */
export function ApiErrorMessage({ what, error }: { readonly what: string; readonly error: ApiError }) {
  return (
    <div className="error-message" role="alert">
      <strong>Could not load {what}.</strong> {error.message}
    </div>
  );
}

/** The panel state of one or more reads: any error wins, then any loading. */
export function panelState(...results: ReadonlyArray<{ error: unknown; loading: boolean; data: unknown }>): PanelState {
  if (results.some((r) => r.error !== undefined)) return 'error';
  if (results.some((r) => r.loading || r.data === undefined)) return 'loading';
  return 'ready';
}
