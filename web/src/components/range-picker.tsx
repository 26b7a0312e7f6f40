import { useState, type FormEvent } from 'react';
import { fromLocalInput, RANGE_KEYS, toLocalInput, type RangeKey, type RangeSelection, type TimeWindow } from '../lib/time-range.js';

const LABELS: Readonly<Record<RangeKey, string>> = {
  '15m': '15 m', '1h': '1 h', '6h': '6 h', '24h': '24 h', '7d': '7 d', '30d': '30 d', all: 'All', custom: 'Custom',
};

interface RangePickerProps {
  readonly range: RangeSelection;
  /** The window on screen, to start a custom range from. */
  readonly window: TimeWindow;
  readonly now: number;
  readonly onChange: (range: RangeSelection) => void;
}

/** The presets, all time, and a custom window in the viewer's time zone. */
export function RangePicker({ range, window, now, onChange }: RangePickerProps) {
  const [editing, setEditing] = useState(false);
  return (
    <div className="range-picker">
      <div className="button-group" role="group" aria-label="Time range">
        {RANGE_KEYS.map((key) => (
          <button
            key={key}
            type="button"
            data-range={key}
            aria-pressed={range.key === key}
            onClick={() => {
              if (key === 'custom') setEditing(true);
              else {
                setEditing(false);
                onChange({ key });
              }
            }}
          >
            {LABELS[key]}
          </button>
        ))}
      </div>
      {(editing || range.key === 'custom') && (
        <CustomRange
          initial={range.key === 'custom' ? range : { from: window.start ?? now - 86_400_000, to: window.end ?? now }}
          onApply={(from, to) => {
            setEditing(false);
            onChange({ key: 'custom', from, to });
          }}
        />
      )}
    </div>
  );
}

function CustomRange({ initial, onApply }: { initial: { from: number; to: number }; onApply: (from: number, to: number) => void }) {
  const [from, setFrom] = useState(() => toLocalInput(initial.from));
  const [to, setTo] = useState(() => toLocalInput(initial.to));
  const start = fromLocalInput(from);
  const end = fromLocalInput(to);
  const problem = start === null || end === null ? 'Enter both times.' : end <= start ? 'The end must be after the start.' : null;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (problem === null) onApply(start!, end!);
  };
  return (
    <form className="custom-range" onSubmit={submit} aria-label="Custom time range">
      <label>
        From <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} name="from" />
      </label>
      <label>
        To <input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} name="to" />
      </label>
      <button type="submit" disabled={problem !== null}>Apply</button>
      {problem !== null && <span className="field-error" role="status">{problem}</span>}
    </form>
  );
}
