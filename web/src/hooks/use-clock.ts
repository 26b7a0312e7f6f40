import { useCallback, useEffect, useState } from 'react';
import { takeBootTime } from '../lib/prefetch.js';

/** How often live mode reloads every panel. */
export const LIVE_INTERVAL_MS = 5000;

export interface Clock {
  /** Bumped on every refresh; every API read runs again. */
  readonly tick: number;
  /** The moment relative ranges ("last 24 h") end at, fixed until the next refresh. */
  readonly now: number;
  refresh(): void;
}

/**
 * Live mode: a refresh every few seconds while the page is visible. Paused, the view stays at the
 * last refresh's moment until the person refreshes by hand.
 */
/** Starts at the moment the entry's read-ahead used (lib/prefetch.ts), so the first paths match its. */
export function useClock(live: boolean): Clock {
  const [clock, setClock] = useState(() => ({ tick: 0, now: takeBootTime() ?? Date.now() }));
  const refresh = useCallback(() => setClock((c) => ({ tick: c.tick + 1, now: Date.now() })), []);

  useEffect(() => {
    if (!live) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') refresh();
    }, LIVE_INTERVAL_MS);
    // Back to a hidden tab: catch up at once rather than at the next interval.
    const onVisible = (): void => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [live, refresh]);

  return { ...clock, refresh };
}
