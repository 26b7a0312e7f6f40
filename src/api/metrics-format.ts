import type { ExpositionFormat } from '../metrics/exposition.js';

/**
 * Content negotiation for `GET /metrics` (RFC 9110 §12.5.1): Prometheus scrapers send
 * `Accept: application/openmetrics-text;version=1.0.0,…,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`
 * and get exposition text; curl (`*\/*`), browsers and anything without an Accept header get the
 * JSON the endpoint has always served. Among equal qualities a type named outright beats one only
 * matched by a wildcard, and JSON beats the exposition formats.
 */
export type MetricsFormat = 'json' | ExpositionFormat;

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

const MEDIA_TYPES: ReadonlyArray<readonly [MetricsFormat, string, string]> = [
  ['json', 'application', 'json'],
  ['openmetrics', 'application', 'openmetrics-text'],
  ['prometheus', 'text', 'plain'],
];

/** Without a preference, text format: what curl and older scrapers expect. */
const EXPOSITION_TYPES = [MEDIA_TYPES[2], MEDIA_TYPES[1]] as typeof MEDIA_TYPES;

export function metricsFormat(accept: string | undefined): MetricsFormat {
  return best(parseAccept(accept), MEDIA_TYPES) ?? 'json';
}

/** For `/metrics/prometheus`, which always answers with exposition: OpenMetrics only when preferred. */
export function expositionFormat(accept: string | undefined): ExpositionFormat {
  return (best(parseAccept(accept), EXPOSITION_TYPES) as ExpositionFormat | null) ?? 'prometheus';
}

function best(ranges: readonly MediaRange[], candidates: typeof MEDIA_TYPES): MetricsFormat | null {
  let winner: MetricsFormat | null = null;
  let winnerScore: [number, number] = [0, -1];
  for (const [format, type, subtype] of candidates) {
    const score = preference(ranges, type, subtype);
    if (score[0] > 0 && (score[0] > winnerScore[0] || (score[0] === winnerScore[0] && score[1] > winnerScore[1]))) {
      winner = format;
      winnerScore = score;
    }
  }
  return winner;
}

/** [quality, specificity] of the most specific range matching the type (2 exact, 1 `type/*`, 0 `*\/*`). */
function preference(ranges: readonly MediaRange[], type: string, subtype: string): [number, number] {
  let specificity = -1;
  let q = 0;
  for (const range of ranges) {
    const s = range.type === type && range.subtype === subtype ? 2 : range.type === type && range.subtype === '*' ? 1 : range.type === '*' ? 0 : -1;
    if (s > specificity || (s === specificity && s >= 0 && range.q > q)) {
      specificity = s;
      q = range.q;
    }
  }
  return [specificity < 0 ? 0 : q, specificity];
}

function parseAccept(accept: string | undefined): MediaRange[] {
  if (accept === undefined) return [];
  const ranges: MediaRange[] = [];
  for (const item of accept.split(',')) {
    const [mediaType = '', ...params] = item.split(';').map((p) => p.trim().toLowerCase());
    const slash = mediaType.indexOf('/');
    if (slash <= 0) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    ranges.push({ type: mediaType.slice(0, slash), subtype: mediaType.slice(slash + 1), q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0 });
  }
  return ranges;
}
