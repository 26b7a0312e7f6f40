/**
 * The filter parameters shared by every stats endpoint: each filter and combinations against the
 * reference model, timezone handling, and every validation error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StatsFilter } from '../../src/domain/stats-filter.js';
import {
  type Api, assertClose, DAY0, generateRecords, KEY_A, paramError, refGroups, refRecentIds, refSummary, startApi, NOT_PARTIAL,
} from '../helpers/analytics-harness.js';

const H = 3_600_000;

/** [query string, the filter it means]. */
const CASES: ReadonlyArray<readonly [string, StatsFilter]> = [
  ['', {}],
  ['start=2024-01-15T06:00:00Z', { start: DAY0 + 6 * H }],
  ['end=2024-01-15T18:00:00Z', { end: DAY0 + 18 * H }],
  ['start=2024-01-15T06:00:00Z&end=2024-01-15T18:00:00Z', { start: DAY0 + 6 * H, end: DAY0 + 18 * H }],
  ['start=2024-01-14&end=2024-01-15T12:00Z', { start: DAY0 - 24 * H, end: DAY0 + 12 * H }],
  ['start=2024-01-15&end=2024-01-16', { start: DAY0, end: DAY0 + 24 * H }],
  ['start=2024-01-15T10:30Z&end=2024-01-15T10:45:30.250Z', { start: DAY0 + 10.5 * H, end: DAY0 + 10.75 * H + 30_250 }],
  ['model=model-a', { model: 'model-a' }],
  ['model=model-c', { model: 'model-c' }],
  ['model=no-such-model', { model: 'no-such-model' }],
  ['endpoint=/v1/completions', { endpoint: '/v1/completions' }],
  ['endpoint=%2Fv1%2Fembeddings', { endpoint: '/v1/embeddings' }],
  ['streamed=true', { streamed: true }],
  ['streamed=false', { streamed: false }],
  ['status=success', { status: 'success' }],
  ['status=error', { status: 'error' }],
  [`api_key_id=${KEY_A}`, { apiKeyId: KEY_A }],
  ['user=bob', { user: 'bob' }],
  ['tag=team:red', { tags: [['team', 'red']] }],
  ['tag=team:red&tag=env:prod', { tags: [['team', 'red'], ['env', 'prod']] }],
  ['tag=env:dev&tag=team:blue', { tags: [['env', 'dev'], ['team', 'blue']] }],
  ['tag=note:a:b', { tags: [['note', 'a:b']] }],
  ['tag=note:a', { tags: [['note', 'a']] }],
  ['tag=team:green', { tags: [['team', 'green']] }],
  ['model=model-a&streamed=true&status=success', { model: 'model-a', streamed: true, status: 'success' }],
  [
    'start=2024-01-15T03:00:00Z&end=2024-01-15T21:00:00Z&model=model-b&tag=team:blue&status=success',
    { start: DAY0 + 3 * H, end: DAY0 + 21 * H, model: 'model-b', tags: [['team', 'blue']], status: 'success' },
  ],
  [
    `user=alice&api_key_id=${KEY_A}&endpoint=/v1/chat/completions&streamed=false`,
    { user: 'alice', apiKeyId: KEY_A, endpoint: '/v1/chat/completions', streamed: false },
  ],
  ['tag=team:red&tag=env:prod&user=carol&status=error', { tags: [['team', 'red'], ['env', 'prod']], user: 'carol', status: 'error' }],
  ['unknown=1&limitless=yes&bucket=7m', {}],
];

describe('stats filters', () => {
  let api: Api;
  before(async () => {
    api = await startApi(generateRecords(600, 42));
  });
  after(() => api.close());

  it('the generated data exercises every filter', () => {
    for (const [query, filter] of CASES) {
      const n = refRecentIds(api.rows, filter).length;
      if (query.includes('green') || query.includes('no-such') || query === 'tag=note:a') assert.equal(n, 0, query);
      else assert.ok(n > 0 && (query === '' || query.startsWith('unknown') || query === 'start=2024-01-15&end=2024-01-16' || n < api.rows.length), `${query}: ${n} rows`);
    }
  });

  for (const [query, filter] of CASES) {
    it(`?${query || '(none)'}: summary, by-user, by-model and recent agree with the reference`, async () => {
      const summary = await api.get(`/stats/summary?${query}`);
      assert.equal(summary.status, 200);
      assertClose(summary.body, refSummary(api.rows, filter));

      const byUser = await api.get(`/stats/by-user?${query}`);
      assertClose(byUser.body, { users: refGroups(api.rows, 'user', filter), ...NOT_PARTIAL });
      const byModel = await api.get(`/stats/by-model?${query}`);
      assertClose(byModel.body, { models: refGroups(api.rows, 'model', filter), ...NOT_PARTIAL });

      const recent = await api.get(`/stats/recent?limit=1000&${query}`);
      assert.deepEqual(recent.body.requests.map((r: { id: number }) => r.id), refRecentIds(api.rows, filter));
      assert.equal(recent.body.next_cursor, null);
    });
  }

  describe('timezones: the same instant however it is written', () => {
    const noon = { start: DAY0 + 12 * H };
    for (const start of [
      '2024-01-15T12:00:00Z',
      '2024-01-15T12:00Z',
      '2024-01-15T12:00:00.000Z',
      '2024-01-15T13:00:00%2B01:00', // encoded +
      '2024-01-15T13:00:00+01:00', // raw + arrives as a space
      '2024-01-15T07:00:00-05:00',
      '2024-01-15T17:30:00%2B05:30',
      '2024-01-14T23:00:00-13:00',
      '2024-01-15T12:00:00.000000000%2B00:00',
    ]) {
      it(`start=${start} ≡ 12:00Z`, async () => {
        assertClose((await api.get(`/stats/summary?start=${start}`)).body, refSummary(api.rows, noon));
        const series = await api.get(`/stats/timeseries?start=${start}&end=2024-01-15T13:00:00Z`);
        assert.equal(series.body.start, '2024-01-15T12:00:00.000Z');
        assert.equal(series.body.end, '2024-01-15T13:00:00.000Z');
      });
    }

    it('fractions: milliseconds kept, finer digits truncated', async () => {
      const series = await api.get('/stats/timeseries?start=2024-01-15T12:00:00.1239Z&end=2024-01-15T12:00:01.5%2B00:00');
      assert.deepEqual([series.body.start, series.body.end], ['2024-01-15T12:00:00.123Z', '2024-01-15T12:00:01.500Z']);
    });

    it('a bare date is UTC midnight; leap day accepted', async () => {
      const series = await api.get('/stats/timeseries?start=2024-02-29&end=2024-03-01');
      assert.deepEqual([series.body.start, series.body.end], ['2024-02-29T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    });
  });

  describe('validation', () => {
    const TS = 'an ISO-8601 date-time with Z or a ±hh:mm offset (e.g. 2024-01-15T12:00:00Z, 2024-01-15T13:00:00+01:00) or a date YYYY-MM-DD';
    const badTimes = [
      'yesterday', '2024-13-01', '2024-02-30', '2023-02-29', '2024-00-10', '1705320000000', '1705320000',
      '2024-01-15T12:00:00', '2024-01-15 12:00:00Z', '2024-01-15T24:00:00Z', '2024-01-15T12:60:00Z',
      '2024-01-15T12:00:60Z', '2024-01-15T12:00:00+24:00', '2024-01-15T12:00:00+01:60', '2024-01-15T12:00:00+0100',
      '2024-01-15t12:00:00z', '2024-1-15', '24-01-15', '2024-01-15T12Z', '2024-01-15T12:00:00.Z', '', 'now',
    ];
    for (const bad of badTimes) {
      for (const name of ['start', 'end']) {
        it(`${name}=${JSON.stringify(bad)} → 400`, async () => {
          assert.deepEqual(
            await api.get(`/stats/summary?${name}=${encodeURIComponent(bad)}`),
            paramError(name, `${name} must be ${TS}, got ${JSON.stringify(bad)}`),
          );
        });
      }
    }

    const rangeCases = [
      ['start=2024-01-15T12:00:00Z&end=2024-01-15T12:00:00Z', '2024-01-15T12:00:00.000Z', '2024-01-15T12:00:00.000Z'],
      ['start=2024-01-15T12:00:00Z&end=2024-01-15T12:30:00%2B01:00', '2024-01-15T12:00:00.000Z', '2024-01-15T11:30:00.000Z'],
      ['start=2024-01-16&end=2024-01-15', '2024-01-16T00:00:00.000Z', '2024-01-15T00:00:00.000Z'],
    ] as const;
    for (const [query, start, end] of rangeCases) {
      it(`${query} → 400 naming end`, async () => {
        assert.deepEqual(
          await api.get(`/stats/summary?${query}`),
          paramError('end', `end must be later than start, got start=${start} and end=${end}`),
        );
      });
    }

    const others: ReadonlyArray<readonly [string, string, string]> = [
      ['streamed=yes', 'streamed', 'streamed must be true or false, got "yes"'],
      ['streamed=TRUE', 'streamed', 'streamed must be true or false, got "TRUE"'],
      ['streamed=', 'streamed', 'streamed must be true or false, got ""'],
      ['status=failed', 'status', 'status must be success or error, got "failed"'],
      ['status=errors', 'status', 'status must be success or error, got "errors"'],
      ['tag=team', 'tag', 'tag must be key:value with a non-empty key and value, got "team"'],
      ['tag=:red', 'tag', 'tag must be key:value with a non-empty key and value, got ":red"'],
      ['tag=team:', 'tag', 'tag must be key:value with a non-empty key and value, got "team:"'],
      ['tag=team:red&tag=', 'tag', 'tag must be key:value with a non-empty key and value, got ""'],
      ['model=', 'model', 'model must not be empty'],
      ['user=', 'user', 'user must not be empty'],
      ['endpoint=', 'endpoint', 'endpoint must not be empty'],
      ['api_key_id=', 'api_key_id', 'api_key_id must not be empty'],
      ['model=a&model=b', 'model', 'model may be given only once, got 2 values'],
      ['start=2024-01-15&start=2024-01-16', 'start', 'start may be given only once, got 2 values'],
    ];
    for (const [query, param, message] of others) {
      it(`${query} → 400 naming ${param}`, async () => {
        assert.deepEqual(await api.get(`/stats/summary?${query}`), paramError(param, message));
      });
    }

    const routes = [
      '/stats/summary', '/stats/by-model', '/stats/by-key', '/stats/by-user', '/stats/by-endpoint', '/stats/by-streamed',
      '/stats/timeseries', '/stats/recent', '/metrics', '/completion_requests',
    ];
    for (const route of routes) {
      it(`${route} validates the filters too`, async () => {
        assert.deepEqual(await api.get(`${route}?status=ok`), paramError('status', 'status must be success or error, got "ok"'));
        assert.deepEqual(
          await api.get(`${route}?start=yesterday`),
          paramError('start', `start must be ${TS}, got "yesterday"`),
        );
        assert.equal((await api.get(`${route}?tag=x`)).status, 400);
      });
    }

    it('logged no errors', () => {
      assert.deepEqual(api.logLines.filter((l) => (l.level as number) >= 50), []);
    });
  });
});
