/**
 * `GET /stats/usage` over HTTP on a hand-built set: the exact JSON body, grouping, weeks and
 * months, CSV (quoting, header, file name), defaults, and a 400 naming each bad parameter.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeRecord } from '../contract/records.js';
import { type Api, paramError, startApi } from '../helpers/analytics-harness.js';

const D1 = Date.UTC(2024, 0, 15); // a Monday
const H = 3_600_000;
const DAY = 24 * H;

describe('GET /stats/usage', () => {
  let api: Api;
  before(async () => {
    api = await startApi(
      [
        makeRecord({ start_time: D1 + 1 * H, model: 'model-a', input_tokens: 10, output_tokens: 5, total_tokens: 15, cost_usd: 0.5, duration_ms: 100 }),
        makeRecord({ start_time: D1 + 2 * H, model: 'model-b', input_tokens: 20, output_tokens: 10, total_tokens: 30, cost_usd: null, duration_ms: 50 }),
        makeRecord({ start_time: D1 + DAY + H, model: 'model-a', input_tokens: 1, output_tokens: 2, total_tokens: 3, cached_input_tokens: 1, reasoning_tokens: 2, cost_usd: 0.25, duration_ms: 10 }),
        makeRecord({ start_time: D1 + DAY + 2 * H, model: 'say "hi", then', is_error: true, status_code: 500, error_type: 'upstream_status', input_tokens: null, output_tokens: null, total_tokens: null, usage_source: 'none', cost_usd: null, duration_ms: 5 }),
        makeRecord({ start_time: D1 + 7 * DAY, model: null, user: 'u1', input_tokens: 100, output_tokens: 100, total_tokens: 200, cost_usd: 1, duration_ms: 1 }),
      ],
      { now: () => D1 + 30 * DAY },
    );
  });
  after(() => api.close());

  const sums = (requests: number, errors: number, input: number, output: number, total: number, cost: number, duration: number, cached = 0, reasoning = 0) => ({
    requests, errors, input_tokens: input, output_tokens: output, total_tokens: total,
    cached_input_tokens: cached, reasoning_tokens: reasoning, cost_usd: cost, duration_ms: duration,
  });

  it('by day, not grouped: one row per day that has requests, exact sums, the totals', async () => {
    const { status, body } = await api.get('/stats/usage');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      start: '2024-01-15T00:00:00.000Z',
      end: new Date(D1 + 30 * DAY).toISOString(),
      granularity: 'day',
      group_by: null,
      partial: false,
      retained_from: null,
      usage_retained_from: null,
      usage: [
        { period: '2024-01-15T00:00:00.000Z', ...sums(2, 0, 30, 15, 45, 0.5, 150) },
        { period: '2024-01-16T00:00:00.000Z', ...sums(2, 1, 1, 2, 3, 0.25, 15, 1, 2) },
        { period: '2024-01-22T00:00:00.000Z', ...sums(1, 0, 100, 100, 200, 1, 1) },
      ],
      totals: sums(5, 1, 131, 117, 248, 1.75, 166, 1, 2),
    });
  });

  it('by week grouped by model: Monday weeks, most requests first, the null group last', async () => {
    const { body } = await api.get('/stats/usage?granularity=week&group_by=model');
    assert.equal(body.group_by, 'model');
    assert.deepEqual(
      body.usage.map((r: { period: string; model: string | null; requests: number }) => [r.period.slice(0, 10), r.model, r.requests]),
      [['2024-01-15', 'model-a', 2], ['2024-01-15', 'model-b', 1], ['2024-01-15', 'say "hi", then', 1], ['2024-01-22', null, 1]],
    );
  });

  it('a range cut inside days counts only its part; filters that exist on the rollup apply', async () => {
    const start = new Date(D1 + 90 * 60_000).toISOString(); // 01:30 on day 1
    const end = new Date(D1 + DAY + 90 * 60_000).toISOString(); // 01:30 on day 2
    const { body } = await api.get(`/stats/usage?start=${start}&end=${end}`);
    assert.deepEqual(body.usage.map((r: { period: string; requests: number }) => [r.period.slice(0, 10), r.requests]), [['2024-01-15', 1], ['2024-01-16', 1]]);
    const errors = await api.get('/stats/usage?status=error&group_by=user');
    assert.deepEqual(errors.body.totals.requests, 1);
    assert.equal(errors.body.usage[0].user, null);
    const month = await api.get('/stats/usage?granularity=month&model=model-a');
    assert.deepEqual(month.body.usage.map((r: { period: string; requests: number }) => [r.period, r.requests]), [['2024-01-01T00:00:00.000Z', 2]]);
  });

  it('format=csv: the same rows, RFC 4180 quoting, the group column, an attachment name', async () => {
    const res = await fetch(`${api.baseUrl}/stats/usage?group_by=model&format=csv&end=2024-01-17`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="usage-day-by-model-2024-01-15-to-2024-01-17.csv"');
    assert.equal(
      await res.text(),
      [
        'period,model,requests,errors,input_tokens,output_tokens,total_tokens,cached_input_tokens,reasoning_tokens,cost_usd,duration_ms',
        '2024-01-15,model-a,1,0,10,5,15,0,0,0.5,100',
        '2024-01-15,model-b,1,0,20,10,30,0,0,0,50',
        '2024-01-16,model-a,1,0,1,2,3,1,2,0.25,10',
        '2024-01-16,"say ""hi"", then",1,1,0,0,0,0,0,0,5',
        '',
      ].join('\n'),
    );
  });

  it('bad values get a 400 naming the parameter', async () => {
    assert.deepEqual(await api.get('/stats/usage?granularity=hour'), paramError('granularity', 'granularity must be one of day, week, month; got "hour"'));
    assert.deepEqual(await api.get('/stats/usage?group_by=tag'), paramError('group_by', 'group_by must be one of model, api_key_id, user, endpoint; got "tag"'));
    assert.deepEqual(await api.get('/stats/usage?format=xml'), paramError('format', 'format must be one of json, csv; got "xml"'));
    assert.deepEqual(
      await api.get('/stats/usage?tag=team:red'),
      paramError('tag', 'tag filters do not apply to /stats/usage: the daily rollups are not kept per tag'),
    );
    assert.deepEqual((await api.get('/stats/usage?start=2030-01-01')).status, 400);
    assert.equal((await api.get('/stats/usage?start=2030-01-01')).body.error.param, 'start');
    assert.equal((await api.get('/stats/usage?end=nope')).body.error.param, 'end');
  });
});
