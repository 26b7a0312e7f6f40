/**
 * How every stats answer says that retention deleted part of the range it was asked about:
 * `partial` is true when the range reaches before the oldest retained request (no `start`, or a
 * `start` before it), and `retained_from` names that time (null when nothing was ever deleted).
 */
import type { StatsFilter } from '../domain/stats-filter.js';

export interface RetentionNote {
  readonly partial: boolean;
  readonly retained_from: string | null;
}

export function retentionNote(filter: StatsFilter, retainedFrom: number | null): RetentionNote {
  if (retainedFrom === null) return { partial: false, retained_from: null };
  return {
    partial: filter.start === undefined || filter.start < retainedFrom,
    retained_from: new Date(retainedFrom).toISOString(),
  };
}

/** The filter with its start moved up to the oldest retained request (for row reads during a prune). */
export function withinRetained(filter: StatsFilter, retainedFrom: number | null): StatsFilter {
  if (retainedFrom === null || (filter.start !== undefined && filter.start >= retainedFrom)) return filter;
  return { ...filter, start: retainedFrom };
}
