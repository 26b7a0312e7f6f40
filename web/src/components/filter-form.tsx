import { useState, type FormEvent } from 'react';
import { statsPath } from '../lib/api-query.js';
import { GROUP_KINDS, toGroupRows, type GroupTab } from '../lib/group-table.js';
import type { TimeWindow } from '../lib/time-range.js';
import { FILTER_LABELS, isValidTag, TEXT_FILTERS, type Filters, type TextFilter } from '../lib/url-state.js';
import { useApi } from '../hooks/use-api.js';

const SUGGESTIONS: Readonly<Record<TextFilter, GroupTab>> = { model: 'models', endpoint: 'endpoints', api_key_id: 'keys', user: 'users' };

interface FilterFormProps {
  readonly filters: Filters;
  readonly window: TimeWindow;
  readonly onApply: (filters: Filters) => void;
}

/**
 * Every filter of the stats API. Text fields suggest the names seen in the range (from the
 * breakdown endpoints, read only while this form is open) and take any exact value.
 */
export function FilterForm({ filters, window, onApply }: FilterFormProps) {
  const [draft, setDraft] = useState(() => ({
    ...Object.fromEntries(TEXT_FILTERS.map((name) => [name, filters[name] ?? ''])),
    status: filters.status ?? '',
    streamed: filters.streamed === undefined ? '' : String(filters.streamed),
    tag: '',
  }) as Record<TextFilter | 'status' | 'streamed' | 'tag', string>);
  const tagInvalid = draft.tag.trim() !== '' && !isValidTag(draft.tag.trim());

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (tagInvalid) return;
    const next: { -readonly [K in keyof Filters]: Filters[K] } = { tags: [...filters.tags] };
    for (const name of TEXT_FILTERS) if (draft[name].trim() !== '') next[name] = draft[name].trim();
    if (draft.status === 'success' || draft.status === 'error') next.status = draft.status;
    if (draft.streamed !== '') next.streamed = draft.streamed === 'true';
    const tag = draft.tag.trim();
    if (tag !== '' && !next.tags.includes(tag)) next.tags = [...next.tags, tag];
    onApply(next);
  };
  const set = (name: keyof typeof draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value });

  return (
    <form id="filter-form" className="filter-form" onSubmit={submit} aria-label="Filters">
      {TEXT_FILTERS.map((name) => (
        <div className="field" key={name}>
          <label htmlFor={`filter-${name}`}>{FILTER_LABELS[name]}</label>
          <input id={`filter-${name}`} list={`filter-${name}-options`} value={draft[name]} onChange={set(name)} autoComplete="off" />
          <Suggestions id={`filter-${name}-options`} tab={SUGGESTIONS[name]} window={window} filters={filters} />
        </div>
      ))}
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={draft.status} onChange={set('status')}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="error">error</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-streamed">Streamed</label>
        <select id="filter-streamed" value={draft.streamed} onChange={set('streamed')}>
          <option value="">any</option>
          <option value="true">streamed</option>
          <option value="false">not streamed</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-tag">Add a tag (key:value)</label>
        <input id="filter-tag" value={draft.tag} onChange={set('tag')} placeholder="team:red" aria-invalid={tagInvalid} aria-describedby="filter-tag-help" />
        <span id="filter-tag-help" className={tagInvalid ? 'field-error' : 'muted'}>
          {tagInvalid ? 'A tag is key:value, both non-empty.' : 'Recorded from X-Metrics-Tag-* headers.'}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary">Apply filters</button>
      </div>
    </form>
  );
}

/** Names seen in the range for one filter; if they fail to load, the field says so and still takes any value. */
function Suggestions({ id, tab, window, filters }: { id: string; tab: GroupTab; window: TimeWindow; filters: Filters }) {
  const kind = GROUP_KINDS[tab];
  const { [kind.field]: _own, ...others } = filters;
  const result = useApi<Record<string, unknown>>(statsPath(kind.endpoint, window, { ...others, tags: filters.tags }));
  const names = result.data ? toGroupRows(result.data, kind).flatMap((row) => (row.key === null ? [] : [row.key])) : [];
  return (
    <>
      <datalist id={id}>
        {names.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {result.error && <span className="field-error">Suggestions failed to load: {result.error.message}</span>}
    </>
  );
}
