/**
 * The page's entry, kept small: it starts the first view's API reads (lib/first-reads.ts), then
 * loads the app (render.tsx, which index.html preloads). The server aggregates while the browser
 * parses the app and renders it; the panels then take the answers already on their way.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { TOKEN_STORAGE_KEY } from './lib/api-client.js';
import { firstReads } from './lib/first-reads.js';
import { prefetch, setBootTime } from './lib/prefetch.js';
import { parseState } from './lib/url-state.js';

function readAhead(): void {
  performance.mark('lmp:entry'); // test/e2e/measure-first-render.ts reports when the entry ran
  const now = Date.now();
  const token = storedToken();
  const paths = firstReads(parseState(window.location.search), now);
  setBootTime(now);
  for (const path of paths) prefetch(path, token);
}

function storedToken(): string {
  try {
    return window.localStorage.getItem(TOKEN_STORAGE_KEY) ?? '';
  } catch {
    return ''; // storage unavailable: the app falls back to the same
  }
}

readAhead();
import('./render.js').catch((err: unknown) => {
  const root = document.getElementById('root');
  if (root !== null) root.textContent = `The dashboard could not load its code: ${String(err)}. Reload the page to try again.`;
});
