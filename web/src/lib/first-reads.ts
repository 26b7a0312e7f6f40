/**
 * The admin API reads a view starts with, known from its URL and the moment alone. The page's
 * entry starts them (lib/prefetch.ts) while the app's code is still loading, and the panels,
 * which ask for the same paths, take those answers instead of asking again. Each path here is
 * built by the same function the panel uses, so the two cannot drift apart.
 */
import { GROUP_KINDS } from './group-table.js';
import { overviewPaths, PAGE_SIZE, PROBE_PATH, recentPath, requestPath, statsPath, timeseriesPath } from './api-query.js';
import { resolveWindow } from './time-range.js';
import type { DashboardState } from './url-state.js';
import { usagePath } from './usage-query.js';

/** The paths to read at once, in the order the page shows their panels. */
export function firstReads(state: DashboardState, now: number): string[] {
  const window = resolveWindow(state.range, now);
  const { tab, filters } = state;
  const paths = [PROBE_PATH];
  if (state.requestId !== null) paths.push(requestPath(state.requestId));
  if (tab === 'requests') {
    const searching = state.search.trim() !== '' && filters.model === undefined;
    // A search first needs the range's models; their requests follow from the answer.
    paths.push(searching ? statsPath('by-model', window, filters) : recentPath(window, filters, PAGE_SIZE, null));
    return paths;
  }
  if (tab === 'usage') {
    paths.push(usagePath(window, filters, state.usage));
    return paths;
  }
  if (tab !== 'overview') {
    paths.push(statsPath(GROUP_KINDS[tab].endpoint, window, filters));
    return paths;
  }
  const overview = overviewPaths(window, filters);
  // In the order the page shows them: the tiles (and their comparison) first.
  paths.push(overview.current);
  if (overview.previous !== null) paths.push(overview.previous);
  paths.push(overview.split, timeseriesPath(window, filters));
  return paths;
}
