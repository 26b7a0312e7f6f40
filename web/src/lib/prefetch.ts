/**
 * Answers read ahead of the components that need them. The page's entry (main.tsx) starts the
 * first view's reads (lib/first-reads.ts) before the app's code has even loaded, so the server
 * aggregates while the browser parses and renders; the panels then take those answers through
 * `readJson` instead of asking again. An answer is taken at most once, by a request with the same
 * token, and only while fresh: a panel mounted later (or a refresh of an unchanged "all time"
 * path) reads anew.
 */
import { fetchJson, type FetchOptions } from './api-client.js';

/** Read-ahead answers older than this are not used. */
export const PREFETCH_FRESH_MS = 10_000;

interface Pending {
  readonly answer: Promise<unknown>;
  readonly token: string;
  readonly at: number;
}

const pending = new Map<string, Pending>();
let bootTime: number | null = null;

/** Starts reading `path` now; returns the answer (its failure is kept for the taker, not thrown here). */
export function prefetch(path: string, token: string, now = Date.now()): Promise<unknown> {
  const answer = fetchJson<unknown>(path, { token });
  answer.catch(() => {}); // whoever takes it sees the failure; untaken, it is dropped quietly
  pending.set(path, { answer, token, at: now });
  return answer;
}

/** A fresh read-ahead answer for `path` and `token`, at most once; undefined when there is none. */
export function takePrefetched<T>(path: string, token: string, now = Date.now()): Promise<T> | undefined {
  const entry = pending.get(path);
  if (entry === undefined) return undefined;
  pending.delete(path);
  if (entry.token !== token || now - entry.at > PREFETCH_FRESH_MS) return undefined;
  return entry.answer as Promise<T>;
}

/**
 * `fetchJson`, or the read-ahead answer for the same path. A reader aborted before the answer
 * came puts it back for the next one (React's development mode mounts every component twice).
 */
export function readJson<T>(path: string, options: FetchOptions = {}): Promise<T> {
  const entry = pending.get(path);
  const taken = takePrefetched<T>(path, options.token ?? '');
  if (taken === undefined || entry === undefined) return fetchJson<T>(path, options);
  const { signal } = options;
  if (signal === undefined) return taken;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (!settled && !pending.has(path)) pending.set(path, entry);
      reject(new DOMException('The read was aborted', 'AbortError'));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    taken.then(resolve, reject).finally(() => {
      settled = true;
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** Notes the moment the first reads' relative ranges end at, for the app's clock to start from. */
export function setBootTime(time: number): void {
  bootTime = time;
}

/** That moment, once (the clock's first value); null afterwards or when nothing was read ahead. */
export function takeBootTime(): number | null {
  const time = bootTime;
  bootTime = null;
  return time;
}
