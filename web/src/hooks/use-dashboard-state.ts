/**
 * The dashboard's view, kept in the URL's query string: each change is a history entry (Back
 * returns to the previous view), and a reload or a shared link shows the same view.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { parseState, serializeState, type DashboardState } from '../lib/url-state.js';

export type UpdateState = (change: (state: DashboardState) => DashboardState) => void;

function urlFor(state: DashboardState): string {
  const query = serializeState(state);
  return query === '' ? window.location.pathname : `?${query}`;
}

export function useDashboardState(): readonly [DashboardState, UpdateState] {
  const [state, setState] = useState(() => parseState(window.location.search));
  const current = useRef(state);

  useEffect(() => {
    // Show the canonical form of whatever link opened the page.
    window.history.replaceState(null, '', urlFor(current.current));
    const onPopState = (): void => {
      current.current = parseState(window.location.search);
      setState(current.current);
    };
    window.addEventListener('popstate', onPopState);
    return () => window.removeEventListener('popstate', onPopState);
  }, []);

  const update = useCallback<UpdateState>((change) => {
    const next = change(current.current);
    if (serializeState(next) !== serializeState(current.current)) window.history.pushState(null, '', urlFor(next));
    current.current = next;
    setState(next);
  }, []);

  return [state, update] as const;
}
