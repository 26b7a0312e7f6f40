/** The change against the previous period, and what each overview tile shows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Summary } from '../../src/api/stats-shapes.js';
import { compareValues } from '../../web/src/lib/change.js';
import { successRate, TILES } from '../../web/src/lib/tiles.js';

const dist = (p50: number | null, p95: number | null) => ({ avg: p50, p50, p95, p99: p95 });

function summary(overrides: Partial<Summary> = {}): Summary {
  return {
    total_requests: 1200, successful_requests: 1188, failed_requests: 12, total_input_tokens: 1_500_000,
    total_output_tokens: 250_000, total_tokens: 1_750_000, average_input_tokens: 1262.6, average_output_tokens: 210.4,
    total_duration_ms: 1_200_000, requests_with_usage: 1188, streamed_requests: 900, average_duration_ms: 1000,
    average_ttft_ms: 180, average_tokens_per_second: 41, cached_input_tokens: 0, reasoning_tokens: 0, cost_usd: 3.456,
    priced_requests: 1200, duration_ms: dist(850, 2400), ttft_ms: dist(150.4, 420), tokens_per_second: dist(40.25, 80),
    first_request_at: '2026-11-01T00:00:00.000Z', last_request_at: '2026-11-22T23:59:59.999Z',
    ...overrides,
  };
}

describe('compareValues', () => {
  it('relative change with one decimal, signed with + and a real minus', () => {
    assert.deepEqual(compareValues(125, 100, 'relative', null), { label: '+25.0%', direction: 'up', tone: 'neutral' });
    assert.deepEqual(compareValues(50, 200, 'relative', null), { label: '\u221275.0%', direction: 'down', tone: 'neutral' });
    assert.deepEqual(compareValues(100, 100, 'relative', null), { label: '±0.0%', direction: 'flat', tone: 'neutral' });
    assert.deepEqual(compareValues(1000.4, 1000, 'relative', 'lower'), { label: '±0.0%', direction: 'flat', tone: 'neutral' });
  });

  it('the tone says whether the change is an improvement', () => {
    assert.equal(compareValues(80, 100, 'relative', 'lower')?.tone, 'good', 'faster');
    assert.equal(compareValues(120, 100, 'relative', 'lower')?.tone, 'bad', 'slower');
    assert.equal(compareValues(120, 100, 'relative', 'higher')?.tone, 'good');
    assert.equal(compareValues(80, 100, 'relative', 'higher')?.tone, 'bad');
  });

  it('rates change in percentage points', () => {
    assert.deepEqual(compareValues(0.99, 0.975, 'points', 'higher'), { label: '+1.5 pp', direction: 'up', tone: 'good' });
    assert.deepEqual(compareValues(0.5, 0.75, 'points', 'higher'), { label: '\u221225.0 pp', direction: 'down', tone: 'bad' });
  });

  it('nothing before: "new" (or no change from zero to zero); a missing side: no comparison', () => {
    assert.deepEqual(compareValues(5, 0, 'relative', null), { label: 'new', direction: 'up', tone: 'neutral' });
    assert.deepEqual(compareValues(0, 0, 'relative', null), { label: '±0.0%', direction: 'flat', tone: 'neutral' });
    assert.equal(compareValues(null, 100, 'relative', 'lower'), null);
    assert.equal(compareValues(100, null, 'relative', 'lower'), null);
  });
});

describe('overview tiles', () => {
  it('show requests, success rate, tokens, cost, p50/p95 duration and TTFT, median speed, in that order', () => {
    assert.deepEqual(TILES.map((t) => t.label), [
      'Requests', 'Success rate', 'Input tokens', 'Output tokens', 'Cost',
      'Duration p50', 'Duration p95', 'TTFT p50', 'TTFT p95', 'Median speed',
    ]);
  });

  it('format each figure of /stats/summary with its unit', () => {
    const s = summary();
    assert.deepEqual(Object.fromEntries(TILES.map((t) => [t.id, t.format(t.value(s))])), {
      requests: '1,200',
      'success-rate': '99.0%',
      'input-tokens': '1,500,000',
      'output-tokens': '250,000',
      cost: '$3.46',
      'duration-p50': '850 ms',
      'duration-p95': '2.40 s',
      'ttft-p50': '150 ms',
      'ttft-p95': '420 ms',
      'tokens-per-second': '40.3 tok/s',
    });
  });

  it('notes: failures, usage known for fewer requests, unpriced requests', () => {
    const notes = (s: Summary) => Object.fromEntries(TILES.flatMap((t) => (t.note?.(s) ? [[t.id, t.note(s)]] : [])));
    assert.deepEqual(notes(summary({ requests_with_usage: 1000, priced_requests: 3 })), {
      requests: '12 failed',
      'input-tokens': 'usage known for 1,000 requests',
      cost: '3 of 1,200 priced',
    });
    assert.deepEqual(notes(summary({ failed_requests: 0, requests_with_usage: 1200 })), {});
  });

  it('no requests: no success rate, missing percentiles', () => {
    const empty = summary({ total_requests: 0, successful_requests: 0, failed_requests: 0, duration_ms: dist(null, null) });
    assert.equal(successRate(empty), null);
    const tile = (id: string) => TILES.find((t) => t.id === id)!;
    assert.equal(tile('success-rate').format(tile('success-rate').value(empty)), '—');
    assert.equal(tile('duration-p95').format(tile('duration-p95').value(empty)), '—');
  });
});
