/**
 * Time ranges: the presets (last 15 minutes … last 30 days), all time, and a custom window;
 * the window they cover at a given moment, and the previous window of the same length that the
 * overview's tiles compare against. Times are epoch milliseconds; `end` is exclusive, as in the API.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const PRESET_DURATIONS = {
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': DAY,
  '7d': 7 * DAY,
  '30d': 30 * DAY,
} as const;

export type PresetRange = keyof typeof PRESET_DURATIONS;
export type RangeKey = PresetRange | 'all' | 'custom';
export const RANGE_KEYS: readonly RangeKey[] = [...(Object.keys(PRESET_DURATIONS) as PresetRange[]), 'all', 'custom'];

export type RangeSelection =
  | { readonly key: PresetRange | 'all' }
  | { readonly key: 'custom'; readonly from: number; readonly to: number };

/** A closed-open window [start, end); null means unbounded on that side. */
export interface TimeWindow {
  readonly start: number | null;
  readonly end: number | null;
}

export const DEFAULT_RANGE: RangeSelection = { key: '24h' };

export function isPreset(key: string): key is PresetRange {
  return Object.hasOwn(PRESET_DURATIONS, key);
}

/** The window a range covers when the dashboard asks at `now`: presets end at `now`. */
export function resolveWindow(range: RangeSelection, now: number): TimeWindow {
  if (range.key === 'all') return { start: null, end: null };
  if (range.key === 'custom') return { start: range.from, end: range.to };
  return { start: now - PRESET_DURATIONS[range.key], end: now };
}

/** The window of the same length just before `window`; null when it is unbounded. */
export function previousWindow(window: TimeWindow): TimeWindow | null {
  if (window.start === null || window.end === null) return null;
  return { start: window.start - (window.end - window.start), end: window.start };
}

/** `15 min`, `1 h`, `24 h`, `7 days`, `2 h 30 min`: a window's length for labels. */
export function formatSpan(ms: number): string {
  if (ms % DAY === 0 && ms >= 2 * DAY) return `${ms / DAY} days`;
  const hours = Math.floor(ms / HOUR);
  const minutes = Math.round((ms % HOUR) / MINUTE);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** What the range shows, for headings: `last 24 h`, `all time`, or the custom window's length. */
export function describeRange(range: RangeSelection): string {
  if (range.key === 'all') return 'all time';
  if (range.key === 'custom') return formatSpan(range.to - range.from);
  return `last ${formatSpan(PRESET_DURATIONS[range.key])}`;
}

/**
 * `YYYY-MM-DDTHH:MM` in the viewer's time zone, the value format of `<input type="datetime-local">`,
 * and back. `offsetMinutes` is `Date#getTimezoneOffset()` at that moment (tests pass it).
 */
export function toLocalInput(ms: number, offsetMinutes = new Date(ms).getTimezoneOffset()): string {
  return new Date(ms - offsetMinutes * MINUTE).toISOString().slice(0, 16);
}

export function fromLocalInput(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  const ms = new Date(`${value}:00`).getTime(); // no offset in the string: local time
  return Number.isNaN(ms) ? null : ms;
}
