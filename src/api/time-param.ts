/**
 * Timestamps in query parameters: ISO-8601 date-times with an explicit offset, or bare dates.
 *
 * Accepted: `2024-01-15T12:00Z`, `2024-01-15T12:00:30Z`, `2024-01-15T12:00:30.123456Z`,
 * `2024-01-15T13:00:00+01:00`, `2024-01-15T07:00:00-05:00`, and `2024-01-15` (UTC midnight).
 * A space in place of the offset's `+` is taken as `+`: an unencoded `+` in a query string
 * arrives as a space, and `…T13:00:00 01:00` cannot mean anything else.
 * Fractions finer than a millisecond are truncated. Everything else is rejected: no offset
 * (local time is ambiguous), out-of-range fields (`2024-13-01`, `2024-02-30`, `T24:00`),
 * epoch numbers, words such as `yesterday`.
 */

const DATE_TIME =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(?:(Z)|([+\- ])([0-9]{2}):([0-9]{2}))$/;
const DATE_ONLY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export const TIMESTAMP_FORMATS =
  'an ISO-8601 date-time with Z or a ±hh:mm offset (e.g. 2024-01-15T12:00:00Z, 2024-01-15T13:00:00+01:00) or a date YYYY-MM-DD';

/** Epoch milliseconds of `raw`, or null when it is not an accepted timestamp. */
export function parseTimestamp(raw: string): number | null {
  const date = DATE_ONLY.exec(raw);
  if (date !== null) return utcMs(num(date[1]), num(date[2]), num(date[3]), 0, 0, 0, 0);

  const m = DATE_TIME.exec(raw);
  if (m === null) return null;
  const hour = num(m[4]);
  const minute = num(m[5]);
  const second = m[6] === undefined ? 0 : num(m[6]);
  const millis = m[7] === undefined ? 0 : num(m[7].slice(0, 3).padEnd(3, '0'));
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const offsetHours = num(m[10]);
    const offsetMins = num(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const local = utcMs(num(m[1]), num(m[2]), num(m[3]), hour, minute, second, millis);
  return local === null ? null : local - offsetMinutes * 60_000;
}

/** Epoch ms of a UTC calendar date and time, or null when the date does not exist. */
function utcMs(year: number, month: number, day: number, h: number, min: number, s: number, ms: number): number | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(h, min, s, ms);
  return d.getTime();
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function num(digits: string | undefined): number {
  return Number(digits);
}
