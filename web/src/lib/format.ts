/**
 * Number formatting for tiles, tables and charts. One fixed locale (en-US: `,` groups thousands,
 * `.` marks decimals) so a figure reads the same on every machine and tests can compare it.
 * Missing values (null: no request had one) show as an em dash.
 */
export const MISSING = '—';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A count or token total: `1,234,567`. */
export function formatCount(value: number | null): string {
  return value === null ? MISSING : integer.format(value);
}

/**
 * A duration: `0.42 ms`, `8.5 ms`, `312 ms`, `1.25 s`, `12.3 s`, `2 min 5 s`. Sub-second values
 * keep milliseconds (TTFT and proxy overhead live there); longer ones switch to seconds.
 */
export function formatDuration(ms: number | null): string {
  if (ms === null) return MISSING;
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${fixed(ms, 2)} ms`;
  if (ms < 10) return `${fixed(ms, 1)} ms`;
  if (ms < 999.5) return `${fixed(ms, 0)} ms`;
  const seconds = ms / 1000;
  if (seconds < 9.995) return `${fixed(seconds, 2)} s`;
  if (seconds < 59.95) return `${fixed(seconds, 1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}

/** US dollars: at least cents (`$1,234.56`, `$0.50`), four significant digits below a dollar (`$0.001235`). */
export function formatUsd(value: number | null): string {
  if (value === null) return MISSING;
  if (value === 0) return '$0.00';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs >= 1) return `${sign}$${fixed(abs, 2)}`;
  const digits = abs.toLocaleString('en-US', { maximumSignificantDigits: 4 });
  const decimals = digits.split('.')[1]?.length ?? 0;
  return `${sign}$${decimals >= 2 ? digits : fixed(abs, 2)}`;
}

/** A ratio 0…1 as a percentage with one decimal: `99.5%`. */
export function formatPercent(ratio: number | null): string {
  return ratio === null ? MISSING : `${fixed(ratio * 100, 1)}%`;
}

/** Generation speed: `42.1 tok/s`. */
export function formatTokensPerSecond(value: number | null): string {
  return value === null ? MISSING : `${fixed(value, 1)} tok/s`;
}

/** Short axis labels: `950`, `1.2k`, `3.4M`, `1.5B`. */
export function formatCompact(value: number): string {
  const abs = Math.abs(value);
  for (const [size, suffix] of [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (abs >= size) return `${trimZeros(value / size)}${suffix}`;
  }
  return trimZeros(value);
}

function trimZeros(value: number): string {
  return String(Number(value.toFixed(Math.abs(value) < 10 ? 2 : 1)));
}

/** A timestamp in the viewer's time zone, to the second: `2024-01-15 13:04:05`. */
export function formatTimestamp(iso: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', ...(timeZone !== undefined ? { timeZone } : {}),
  }).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A moment for sentences, in the viewer's time zone, to the minute: `4 Nov 2026, 14:03`. */
export function formatDateTime(iso: string, timeZone?: string): string {
  const stamp = formatTimestamp(iso, timeZone); // YYYY-MM-DD HH:MM:SS
  const [year, month, day] = stamp.slice(0, 10).split('-').map(Number);
  return `${day} ${MONTH_NAMES[month! - 1]} ${year}, ${stamp.slice(11, 16)}`;
}
