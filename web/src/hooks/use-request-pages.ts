/**
 * The requests table's pages: newest first, "older" and "newer" through a stack of pager states
 * (see lib/request-pager.ts). The stack starts over when the query changes; a refresh reloads
 * the page on screen, so live mode shows new requests on the first page and leaves older pages be.
 */
import { useContext, useEffect, useMemo, useState } from 'react';
import type { RecentPage, StoredRequest } from '../lib/api-types.js';
import { ApiError } from '../lib/api-client.js';
import { PAGE_SIZE, recentPath } from '../lib/api-query.js';
import { readJson } from '../lib/prefetch.js';
import { firstPage, loadPage, type PagerState } from '../lib/request-pager.js';
import { mergeRetention, retentionOf, type RetentionReport } from '../lib/retention.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { ApiContext } from './use-api.js';

export interface RequestPages {
  readonly rows: readonly StoredRequest[] | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  /** The API paths the page on screen came from. */
  readonly sources: readonly string[];
  /** Whether retention cut the answers the page on screen came from. */
  readonly retention: RetentionReport | undefined;
  /** 1-based. */
  readonly page: number;
  readonly hasOlder: boolean;
  older(): void;
  newer(): void;
  newest(): void;
}

interface Loaded {
  readonly rows: readonly StoredRequest[] | undefined;
  readonly next: PagerState | null;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  readonly sources: readonly string[];
  readonly retention: RetentionReport | undefined;
}

/**
 * @param models null: not known yet (waits); [undefined]: the filters alone; several: one source
 *   per model, merged.
 */
export function useRequestPages(models: ReadonlyArray<string | undefined> | null, window: TimeWindow, filters: Filters): RequestPages {
  const { token, tick } = useContext(ApiContext);
  const queryKey = JSON.stringify([models, filters]);
  // Keyed on the query's text: a new but equal models array must not restart the paging.
  const first = useMemo(() => (models === null ? null : firstPage(models)), [queryKey]);
  const [nav, setNav] = useState<{ key: string; stack: readonly PagerState[] }>({ key: queryKey, stack: [] });
  const stack = nav.key === queryKey ? nav.stack : [];
  const start = stack.at(-1) ?? first;
  const [loaded, setLoaded] = useState<Loaded>({ rows: undefined, next: null, error: undefined, loading: false, sources: [], retention: undefined });

  useEffect(() => {
    if (start === null) return;
    const controller = new AbortController();
    const sources: string[] = [];
    const reports: RetentionReport[] = [];
    setLoaded((previous) => ({ ...previous, loading: true }));
    loadPage(start, PAGE_SIZE, (model, cursor, limit) => {
      const path = recentPath(window, model === undefined ? filters : { ...filters, model }, limit, cursor);
      sources.push(path);
      return readJson<RecentPage>(path, { signal: controller.signal, token }).then((answer) => {
        const report = retentionOf(answer);
        if (report !== undefined) reports.push(report);
        return answer;
      });
    }).then(
      (page) => setLoaded({ rows: page.rows, next: page.next, error: undefined, loading: false, sources, retention: mergeRetention(reports) }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        const error = err instanceof ApiError ? err : new ApiError(String(err), null);
        setLoaded({ rows: undefined, next: null, error, loading: false, sources, retention: undefined });
      },
    );
    return () => controller.abort();
  }, [start, window, filters, token, tick]);

  const push = (next: readonly PagerState[]): void => setNav({ key: queryKey, stack: next });
  return {
    ...loaded,
    page: stack.length + 1,
    hasOlder: loaded.next !== null,
    older: () => {
      if (loaded.next !== null) push([...stack, loaded.next]);
    },
    newer: () => push(stack.slice(0, -1)),
    newest: () => push([]),
  };
}
