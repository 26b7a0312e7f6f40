/** The admin API's pure parsers and builders, without HTTP. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStatsFilter } from '../../src/api/filter-params.js';
import { buildMetricsJson } from '../../src/api/openai-metrics-json.js';
import { InvalidParamError } from '../../src/api/param-error.js';
import { decodeCursor, encodeCursor } from '../../src/api/recent-cursor.js';
import { parseTimestamp } from '../../src/api/time-param.js';
import { bucketCount } from '../../src/api/timeseries.js';
import type { CompletionSide } from '../../src/analytics/types.js';

describe('parseTimestamp', () => {
  const noon = Date.UTC(2024, 0, 15, 12);
  for (const [raw, ms] of [
    ['2024-01-15T12:00:00Z', noon],
    ['2024-01-15T12:00Z', noon],
    ['2024-01-15T13:00:00+01:00', noon],
    ['2024-01-15T13:00:00 01:00', noon],
    ['2024-01-15T06:30:00-05:30', noon],
    ['2024-01-15T12:00:00.9999Z', noon + 999],
    ['2024-01-15T12:00:00.1Z', noon + 100],
    ['2024-01-15', Date.UTC(2024, 0, 15)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['0099-01-01', -59042995200000],
    ['2024-12-31T23:59:59.999Z', Date.UTC(2024, 11, 31, 23, 59, 59, 999)],
  ] as const) {
    it(`${raw} → ${new Date(ms).toISOString()}`, () => assert.equal(parseTimestamp(raw), ms));
  }
  for (const raw of ['yesterday', '2024-13-01', '1900-02-29', '2024-04-31', '1705320000000', '2024-01-15T12:00:00', '2024-01-15T12:00:00+1:00', '2024-01-15T12:00:00--01:00', ' 2024-01-15', '2024-01-15 ', '２０２４-01-15']) {
    it(`${JSON.stringify(raw)} → null`, () => assert.equal(parseTimestamp(raw), null));
  }
});

describe('parseStatsFilter', () => {
  it('maps every parameter, tags split at the first colon, unknown ones ignored', () => {
    assert.deepEqual(
      parseStatsFilter({
        start: ['2024-01-15'], end: ['2024-01-16'], model: ['m'], endpoint: ['/v1/completions'], streamed: ['false'], status: ['error'],
        api_key_id: ['key_x'], user: ['u'], tag: ['a:b', 'url:http://x:1'], other: ['1', '2'],
      }),
      {
        start: Date.UTC(2024, 0, 15), end: Date.UTC(2024, 0, 16), model: 'm', endpoint: '/v1/completions', apiKeyId: 'key_x', user: 'u',
        streamed: false, status: 'error', tags: [['a', 'b'], ['url', 'http://x:1']],
      },
    );
    assert.deepEqual(parseStatsFilter({}), {});
  });
  it('throws InvalidParamError naming the parameter', () => {
    assert.throws(() => parseStatsFilter({ streamed: ['1'] }), (e) => e instanceof InvalidParamError && e.param === 'streamed');
    assert.throws(() => parseStatsFilter({ tag: ['a:b', 'nocolon'] }), (e) => e instanceof InvalidParamError && e.param === 'tag');
  });
});

describe('recent cursor', () => {
  it('round-trips and is base64url of start_time_ms:id', () => {
    const cursor = encodeCursor({ start_time: '2024-01-15T12:00:00.123Z', id: 42 });
    assert.equal(Buffer.from(cursor, 'base64url').toString(), `${Date.UTC(2024, 0, 15, 12, 0, 0, 123)}:42`);
    assert.deepEqual(decodeCursor(cursor), { start_time: Date.UTC(2024, 0, 15, 12, 0, 0, 123), id: 42 });
  });
  it('rejects what it did not issue', () => {
    for (const raw of ['', '!!', Buffer.from('1:22').toString('base64'), Buffer.from('a:2').toString('base64url')]) {
      assert.throws(() => decodeCursor(raw), (e) => e instanceof InvalidParamError && e.param === 'cursor', raw);
    }
  });
});

describe('bucketCount', () => {
  it('aligns start down and rounds the end up', () => {
    assert.equal(bucketCount(0, 3_600_000, 60_000), 60);
    assert.equal(bucketCount(30_000, 3_600_000, 60_000), 60);
    assert.equal(bucketCount(30_000, 3_600_001, 60_000), 61);
    assert.equal(bucketCount(59_999, 60_000, 60_000), 1);
  });
});

describe('buildMetricsJson', () => {
  const side = (total: number, avg: number | null): CompletionSide => ({
    total, successful: total, failed: 0, tokens_reported: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0,
    avg_tokens_per_second: null, error_types: {}, avg_duration_ms: avg, avg_ttft_ms: null, avg_ttlt_ms: null, avg_generation_ms: null,
  });
  it('weighs each side by its requests in the combined average', () => {
    const json = buildMetricsJson({ streamed: side(1, 100), non_streamed: side(3, 200), model_distribution: {}, origin_distribution: {} }, 0);
    assert.equal(json.requests.total.avg_response_time_ms, 175);
    assert.equal(json.timestamp, '1970-01-01T00:00:00.000Z');
  });
  it('0, not null, for the response time of no requests', () => {
    const json = buildMetricsJson({ streamed: side(0, null), non_streamed: side(2, 50), model_distribution: {}, origin_distribution: {} }, 0);
    assert.equal(json.requests.streamed.avg_response_time_ms, 0);
    assert.equal(json.requests.total.avg_response_time_ms, 50);
  });
});
