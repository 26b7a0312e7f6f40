/**
 * Paging through recent requests, newest first, from one source (the filtered `/stats/recent`)
 * or several merged (a text search matching several models: one `/stats/recent?model=…` each,
 * since the API filters on exact model names). Each source pages with its own cursor and keeps
 * what it fetched but did not show yet, so a page never downloads more than one page per source
 * and the pages have neither gaps nor duplicates while new requests arrive.
 */
import type { RecentPage, StoredRequest } from './api-types.js';

/** One source: the model it is limited to (undefined: no extra limit). */
export interface SourceState {
  readonly model: string | undefined;
  /** Fetched rows not shown yet, newest first. */
  readonly buffer: readonly StoredRequest[];
  /** Where the next fetch continues; null before the first one. */
  readonly cursor: string | null;
  readonly exhausted: boolean;
}

export type PagerState = readonly SourceState[];

export type FetchRecent = (model: string | undefined, cursor: string | null, limit: number) => Promise<RecentPage>;

export interface LoadedPage {
  readonly rows: StoredRequest[];
  /** State for the next (older) page; null when there is none. */
  readonly next: PagerState | null;
}

export function firstPage(models: ReadonlyArray<string | undefined>): PagerState {
  return models.map((model) => ({ model, buffer: [], cursor: null, exhausted: false }));
}

export async function loadPage(state: PagerState, pageSize: number, fetchRecent: FetchRecent): Promise<LoadedPage> {
  // Every source needs a full page buffered (or to have run out) before the merge can pick a page.
  const filled = await Promise.all(
    state.map(async (source): Promise<SourceState> => {
      if (source.exhausted || source.buffer.length >= pageSize) return source;
      const page = await fetchRecent(source.model, source.cursor, pageSize - source.buffer.length);
      return { ...source, buffer: [...source.buffer, ...page.requests], cursor: page.next_cursor, exhausted: page.next_cursor === null };
    }),
  );

  const heads = filled.map(() => 0);
  const rows: StoredRequest[] = [];
  while (rows.length < pageSize) {
    let pick = -1;
    filled.forEach((source, i) => {
      const candidate = source.buffer[heads[i]!];
      if (candidate === undefined) return;
      const best = pick < 0 ? undefined : filled[pick]!.buffer[heads[pick]!];
      if (best === undefined || isNewer(candidate, best)) pick = i;
    });
    if (pick < 0) break;
    rows.push(filled[pick]!.buffer[heads[pick]!]!);
    heads[pick]! += 1;
  }

  const next = filled.map((source, i) => ({ ...source, buffer: source.buffer.slice(heads[i]) }));
  const more = next.some((source) => source.buffer.length > 0 || !source.exhausted);
  return { rows, next: more ? next : null };
}

/** The API's order: start_time descending, then id descending. */
function isNewer(a: StoredRequest, b: StoredRequest): boolean {
  const ta = Date.parse(a.start_time);
  const tb = Date.parse(b.start_time);
  return ta !== tb ? ta > tb : a.id > b.id;
}

/** Models whose name contains the search text (any case); exact matches first, then in the given order. */
export function matchModels(models: ReadonlyArray<string | null>, search: string): string[] {
  const needle = search.trim().toLowerCase();
  if (needle === '') return [];
  const found = models.filter((m): m is string => m !== null && m.toLowerCase().includes(needle));
  return [...found.filter((m) => m.toLowerCase() === needle), ...found.filter((m) => m.toLowerCase() !== needle)];
}

/** A search matching more models than this asks for a narrower one instead of merging them all. */
export const MAX_MERGED_MODELS = 10;
