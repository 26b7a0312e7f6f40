import { useEffect, useState } from 'react';
import type { ModelStats } from '../lib/api-types.js';
import { statsPath } from '../lib/api-query.js';
import { matchModels, MAX_MERGED_MODELS } from '../lib/request-pager.js';
import type { TimeWindow } from '../lib/time-range.js';
import type { Filters } from '../lib/url-state.js';
import { useApi } from '../hooks/use-api.js';
import { useRequestPages } from '../hooks/use-request-pages.js';
import { useRetentionReport } from '../hooks/use-retention.js';
import { ApiErrorMessage, Panel } from './panel.js';
import { RequestTable } from './request-table.js';

interface RequestsViewProps {
  readonly window: TimeWindow;
  readonly filters: Filters;
  readonly search: string;
  readonly onSearch: (search: string) => void;
  readonly onPickModel: (model: string) => void;
  readonly onOpen: (id: number) => void;
}

/**
 * The recent requests, paged, under the dashboard's filters, plus a text search on model names.
 * The API filters on exact names, so the search is matched against the models of the range
 * (`/stats/by-model`, aggregated) and the table merges those models' requests.
 */
export function RequestsView({ window, filters, search, onSearch, onPickModel, onOpen }: RequestsViewProps) {
  const searching = search.trim() !== '' && filters.model === undefined;
  const models = useApi<{ models: ModelStats[] }>(searching ? statsPath('by-model', window, filters) : null);
  const matches = searching && models.data ? matchModels(models.data.models.map((m) => m.model), search) : null;
  const sources = !searching ? [undefined] : matches !== null && matches.length > 0 && matches.length <= MAX_MERGED_MODELS ? matches : null;
  const pages = useRequestPages(sources, window, filters);
  useRetentionReport('requests', pages.retention);
  const error = models.error ?? pages.error;
  const state = error ? 'error' : pages.loading || (sources !== null && pages.rows === undefined) || models.loading ? 'loading' : 'ready';

  return (
    <Panel id="requests" title="Requests" state={state} source={pages.sources.join(' ')}>
      <SearchForm search={search} onSearch={onSearch} disabled={filters.model !== undefined} />
      {searching && matches !== null && <MatchNote search={search} matches={matches} onPickModel={onPickModel} />}
      {error && <ApiErrorMessage what="the requests" error={error} />}
      {!error && sources !== null && pages.rows !== undefined && (
        <>
          {pages.rows.length === 0 ? <p className="muted">No requests match.</p> : <RequestTable rows={pages.rows} onOpen={onOpen} />}
          <nav className="pager" aria-label="Request pages">
            <button type="button" onClick={pages.newest} disabled={pages.page === 1}>Newest</button>
            <button type="button" onClick={pages.newer} disabled={pages.page === 1}>← Newer</button>
            <span className="pager-page" aria-live="polite">Page {pages.page}</span>
            <button type="button" onClick={pages.older} disabled={!pages.hasOlder}>Older →</button>
          </nav>
        </>
      )}
    </Panel>
  );
}

function SearchForm({ search, onSearch, disabled }: { search: string; onSearch: (s: string) => void; disabled: boolean }) {
  const [text, setText] = useState(search);
  useEffect(() => setText(search), [search]);
  return (
    <form
      role="search"
      className="search-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <label htmlFor="model-search">Search models</label>
      <input
        id="model-search"
        type="search"
        value={text}
        placeholder={disabled ? 'a model filter is set' : 'e.g. llama'}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" disabled={disabled}>Search</button>
      {search !== '' && (
        <button type="button" onClick={() => onSearch('')}>Clear search</button>
      )}
    </form>
  );
}

function MatchNote({ search, matches, onPickModel }: { search: string; matches: string[]; onPickModel: (m: string) => void }) {
  if (matches.length === 0) return <p className="note" role="status">No model in this range has “{search}” in its name.</p>;
  return (
    <div className="note" role="status">
      {matches.length > MAX_MERGED_MODELS
        ? `${matches.length} models match “${search}”: narrow the search or pick one: `
        : `Requests of ${matches.length === 1 ? 'the model' : `${matches.length} models`} matching “${search}”: `}
      {matches.map((m) => (
        <button key={m} type="button" className="chip-button" onClick={() => onPickModel(m)} title={`Filter the dashboard by model ${m}`}>
          {m}
        </button>
      ))}
    </div>
  );
}
