import { useState } from 'react';
import type { TimeWindow } from '../lib/time-range.js';
import { activeFilterCount, FILTER_LABELS, type Filters } from '../lib/url-state.js';
import { FilterForm } from './filter-form.js';

interface FilterBarProps {
  readonly filters: Filters;
  readonly window: TimeWindow;
  readonly onChange: (filters: Filters) => void;
}

interface Chip {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly without: Filters;
}

function chipsOf(filters: Filters): Chip[] {
  const chips: Chip[] = [];
  for (const name of ['model', 'endpoint', 'api_key_id', 'user', 'status', 'streamed'] as const) {
    const value = filters[name];
    if (value === undefined) continue;
    const { [name]: _removed, ...rest } = filters;
    chips.push({ id: name, label: FILTER_LABELS[name], value: name === 'streamed' ? (value ? 'yes' : 'no') : String(value), without: rest });
  }
  filters.tags.forEach((tag, i) => {
    chips.push({ id: `tag-${i}`, label: FILTER_LABELS.tag, value: tag, without: { ...filters, tags: filters.tags.filter((_, j) => j !== i) } });
  });
  return chips;
}

/** The active filters (each removable) and the form that adds more; they apply to every tab. */
export function FilterBar({ filters, window, onChange }: FilterBarProps) {
  const [open, setOpen] = useState(false);
  const chips = chipsOf(filters);
  return (
    <div className="filter-bar">
      <div className="filter-chips" aria-label="Active filters" role="group">
        <button type="button" aria-expanded={open} aria-controls="filter-form" onClick={() => setOpen(!open)}>
          Filters{activeFilterCount(filters) > 0 ? ` (${activeFilterCount(filters)})` : ''}
        </button>
        {chips.map((chip) => (
          <span key={chip.id} className="chip" data-filter={chip.id}>
            {chip.label}: <strong>{chip.value}</strong>
            <button type="button" className="chip-remove" aria-label={`Remove the filter ${chip.label} ${chip.value}`} onClick={() => onChange(chip.without)}>
              ×
            </button>
          </span>
        ))}
        {chips.length > 1 && (
          <button type="button" className="link-button" onClick={() => onChange({ tags: [] })}>Clear all</button>
        )}
      </div>
      {open && (
        <FilterForm
          filters={filters}
          window={window}
          onApply={(next) => {
            onChange(next);
            setOpen(false);
          }}
        />
      )}
    </div>
  );
}
