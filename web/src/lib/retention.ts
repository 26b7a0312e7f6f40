/**
 * The note above a view when retention has deleted part of what it shows. Every stats answer says
 * `partial` (its range reaches before what is kept) and `retained_from`; `/stats/usage` also says
 * how far its daily totals were deleted (`usage_retained_from`). The note appears only when an
 * answer on screen is partial.
 */
import type { UsageAnswer } from './api-types.js';
import { formatDateTime } from './format.js';
import { formatUtcDate } from './usage.js';

export interface RetentionReport {
  /** `requests`: an answer from the request rows; `usage`: from the daily totals. */
  readonly kind: 'requests' | 'usage';
  readonly partial: boolean;
  /** ISO time before which request rows were deleted; null when none were. */
  readonly retainedFrom: string | null;
  /** Usage only: the day before which daily totals were deleted. */
  readonly usageRetainedFrom?: string | null;
  /** Usage only: the start of the range the answer sums. */
  readonly start?: string;
}

/** The report of any stats answer (undefined when it has none, e.g. an older server). */
export function retentionOf(data: unknown): RetentionReport | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { partial, retained_from: retainedFrom } = data as { partial?: unknown; retained_from?: unknown };
  if (typeof partial !== 'boolean') return undefined;
  return { kind: 'requests', partial, retainedFrom: typeof retainedFrom === 'string' ? retainedFrom : null };
}

/** Several answers behind one panel: partial when any is. */
export function mergeRetention(reports: readonly RetentionReport[]): RetentionReport | undefined {
  if (reports.length === 0) return undefined;
  return {
    kind: 'requests',
    partial: reports.some((r) => r.partial),
    retainedFrom: reports.map((r) => r.retainedFrom).find((t) => t !== null) ?? null,
  };
}

export function usageRetentionOf(answer: UsageAnswer): RetentionReport {
  return {
    kind: 'usage',
    partial: answer.partial,
    retainedFrom: answer.retained_from,
    usageRetainedFrom: answer.usage_retained_from,
    start: answer.start,
  };
}

export interface RetentionMessage {
  readonly text: string;
  /** Point to the Usage view, which keeps exact daily totals for longer. */
  readonly suggestUsage: boolean;
}

/** What the note says, or null when no answer on screen is partial. */
export function retentionMessage(reports: readonly RetentionReport[], onUsageView: boolean, timeZone?: string): RetentionMessage | null {
  const partial = reports.filter((r) => r.partial);
  if (partial.length === 0) return null;
  const usage = partial.find((r) => r.kind === 'usage');
  if (usage !== undefined) {
    const { usageRetainedFrom, start } = usage;
    if (usageRetainedFrom != null && (start === undefined || Date.parse(start) < Date.parse(usageRetainedFrom))) {
      return {
        text: `Daily usage totals before ${formatUtcDate(Date.parse(usageRetainedFrom))} were deleted by retention (USAGE_RETENTION_DAYS): these figures start there.`,
        suggestUsage: false,
      };
    }
    const when = usage.retainedFrom === null ? '' : ` before ${formatDateTime(usage.retainedFrom, timeZone)}`;
    return {
      text: `Requests${when} were deleted by retention (RETENTION_DAYS), and this range cuts a day from before then: that part of the day is not counted.`,
      suggestUsage: false,
    };
  }
  const from = partial.map((r) => r.retainedFrom).find((t) => t !== null);
  const when = from === undefined ? '' : ` before ${formatDateTime(from, timeZone)}`;
  return {
    text: `Requests${when} were deleted by retention (RETENTION_DAYS): these figures start there.`,
    suggestUsage: !onUsageView,
  };
}
