/**
 * Reading the admin API from components. Every read re-runs when its path changes and on each
 * refresh tick (live mode); the last answer stays on screen while the next one loads, so a
 * refresh never blanks a panel. A failure is kept per read, for the panel to show in place.
 * A read the page's entry started ahead (lib/prefetch.ts) is taken instead of asked again.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { ApiError } from '../lib/api-client.js';
import { readJson } from '../lib/prefetch.js';

export interface ApiSettings {
  /** Optional admin token, sent as a bearer token. */
  readonly token: string;
  /** Bumped by live mode and the refresh button: every read runs again. */
  readonly tick: number;
}

export const ApiContext = createContext<ApiSettings>({ token: '', tick: 0 });

export interface ApiResult<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  /** The path `data` (or `error`) belongs to. */
  readonly source: string | null;
}

const IDLE = { data: undefined, error: undefined, loading: false, source: null };

/** GET `path` (relative to the page) as JSON; null waits (a dependency is not known yet). */
export function useApi<T>(path: string | null): ApiResult<T> {
  const { token, tick } = useContext(ApiContext);
  const [result, setResult] = useState<ApiResult<T>>(IDLE);

  useEffect(() => {
    if (path === null) {
      setResult(IDLE);
      return;
    }
    const controller = new AbortController();
    setResult((previous) => ({ ...previous, loading: true }));
    readJson<T>(path, { signal: controller.signal, token }).then(
      (data) => setResult({ data, error: undefined, loading: false, source: path }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(String(err), null);
        setResult({ data: undefined, error, loading: false, source: path });
      },
    );
    return () => controller.abort();
  }, [path, token, tick]);

  return result;
}
