import type { Clock } from '../hooks/use-clock.js';
import type { ThemeState } from '../hooks/use-theme.js';
import { formatTimestamp } from '../lib/format.js';
import { THEME_PREFERENCES, type ThemePreference } from '../lib/theme.js';
import type { RangeSelection, TimeWindow } from '../lib/time-range.js';
import { RangePicker } from './range-picker.js';

interface HeaderProps {
  readonly range: RangeSelection;
  readonly window: TimeWindow;
  readonly clock: Clock;
  readonly live: boolean;
  readonly theme: ThemeState;
  readonly onRange: (range: RangeSelection) => void;
  readonly onLive: (live: boolean) => void;
  readonly onSettings: () => void;
}

const THEME_LABELS: Readonly<Record<ThemePreference, string>> = { system: 'System theme', light: 'Light', dark: 'Dark' };

export function Header({ range, window, clock, live, theme, onRange, onLive, onSettings }: HeaderProps) {
  return (
    <header className="app-header">
      <div className="brand">
        <h1>LLM metrics proxy</h1>
        <span className="muted updated" aria-live="off">
          {live ? 'Live · ' : 'Paused · '}as of {formatTimestamp(new Date(clock.now).toISOString()).slice(11)}
        </span>
      </div>
      <RangePicker range={range} window={window} now={clock.now} onChange={onRange} />
      <div className="header-actions">
        <button
          type="button"
          className="live-toggle"
          aria-pressed={live}
          onClick={() => onLive(!live)}
          title={live ? 'Refreshing every 5 seconds: press to pause' : 'Paused: press to refresh every 5 seconds'}
        >
          <span className="live-dot" aria-hidden="true" /> Live
        </button>
        <button type="button" onClick={clock.refresh}>Refresh</button>
        <label className="sr-only" htmlFor="theme-select">Theme</label>
        <select id="theme-select" value={theme.preference} onChange={(e) => theme.setPreference(e.target.value as ThemePreference)}>
          {THEME_PREFERENCES.map((p) => (
            <option key={p} value={p}>{THEME_LABELS[p]}</option>
          ))}
        </select>
        <button type="button" onClick={onSettings}>Settings</button>
      </div>
    </header>
  );
}
