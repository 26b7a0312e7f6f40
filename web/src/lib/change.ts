/**
 * The change of a figure against the previous period of the same length, as the overview's
 * tiles show it: relative (`+12.5%`) for amounts, percentage points (`−1.2 pp`) for rates.
 */
export type Direction = 'up' | 'down' | 'flat';
export type Tone = 'good' | 'bad' | 'neutral';
export type ChangeKind = 'relative' | 'points';
/** Which way is an improvement; null when neither is (e.g. request counts). */
export type Better = 'higher' | 'lower' | null;

export interface Change {
  readonly label: string;
  readonly direction: Direction;
  readonly tone: Tone;
}

const MINUS = '\u2212';

/** Null when either side has no value (nothing to compare). */
export function compareValues(current: number | null, previous: number | null, kind: ChangeKind, better: Better): Change | null {
  if (current === null || previous === null) return null;
  if (kind === 'points') return describe((current - previous) * 100, ' pp', better);
  if (previous === 0) {
    return current === 0 ? describe(0, '%', better) : { label: 'new', direction: 'up', tone: toneOf('up', better) };
  }
  return describe(((current - previous) / Math.abs(previous)) * 100, '%', better);
}

function describe(delta: number, unit: string, better: Better): Change {
  const rounded = Math.round(delta * 10) / 10;
  const direction: Direction = rounded > 0 ? 'up' : rounded < 0 ? 'down' : 'flat';
  const magnitude = Math.abs(rounded).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const sign = direction === 'up' ? '+' : direction === 'down' ? MINUS : '±';
  return { label: `${sign}${magnitude}${unit}`, direction, tone: toneOf(direction, better) };
}

function toneOf(direction: Direction, better: Better): Tone {
  if (better === null || direction === 'flat') return 'neutral';
  return (direction === 'up') === (better === 'higher') ? 'good' : 'bad';
}
