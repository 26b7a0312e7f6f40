/**
 * The Usage view's read: `/stats/usage` over whole UTC periods, with the filters it takes. Kept
 * apart from the rest of lib/usage.ts so the page's entry (lib/first-reads.ts) stays small.
 */
import { statsPath } from './api-query.js';
import type { TimeWindow } from './time-range.js';
import type { Filters } from './url-state.js';
import type { Granularity, UsageSettings } from './usage-settings.js';

const DAY_MS = 86_400_000;

/** Start of the UTC period holding `t`: the day, the ISO week (Monday 00:00 UTC) or the calendar month. */
export function periodStart(t: number, granularity: Granularity): number {
  const day = Math.floor(t / DAY_MS) * DAY_MS;
  if (granularity === 'day') return day;
  if (granularity === 'week') return day - ((new Date(day).getUTCDay() + 6) % 7) * DAY_MS;
  const d = new Date(day);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextPeriod(start: number, granularity: Granularity): number {
  if (granularity === 'day') return start + DAY_MS;
  if (granularity === 'week') return start + 7 * DAY_MS;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/**
 * The window the view asks for: its start moved back to the start of its period, so that every
 * bar is a whole UTC day, week or month (the last one up to the window's end). "All time" stays
 * unbounded: the server starts at the first recorded day.
 */
export function usageWindow(window: TimeWindow, granularity: Granularity): TimeWindow {
  return window.start === null ? window : { start: periodStart(window.start, granularity), end: window.end };
}

/** The filters `/stats/usage` takes: all but tags (the daily totals are not kept per tag). */
export function usageFilters(filters: Filters): Filters {
  return { ...filters, tags: [] };
}

/** `stats/usage?start&end&<filters>&granularity&group_by`. */
export function usagePath(window: TimeWindow, filters: Filters, settings: UsageSettings): string {
  return statsPath('usage', usageWindow(window, settings.granularity), usageFilters(filters), {
    granularity: settings.granularity,
    ...(settings.groupBy === 'none' ? {} : { group_by: settings.groupBy }),
  });
}

/** The same query as CSV (the server sends it as a download). */
export function usageCsvPath(window: TimeWindow, filters: Filters, settings: UsageSettings): string {
  return `${usagePath(window, filters, settings)}&format=csv`;
}

