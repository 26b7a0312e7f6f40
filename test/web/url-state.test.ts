/** The view in the URL: round trip, canonical form, defaults left out, bad values ignored. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_STATE, defaultRange, hasFilters, isValidTag, parseState, serializeState, withTab, type DashboardState,
} from '../../web/src/lib/url-state.js';
import { DEFAULT_USAGE } from '../../web/src/lib/usage.js';

const FULL: DashboardState = {
  tab: 'requests',
  range: { key: 'custom', from: Date.UTC(2024, 0, 15, 10), to: Date.UTC(2024, 0, 15, 14, 30) },
  filters: {
    model: 'llama3.1:8b', endpoint: '/v1/chat/completions', status: 'error', streamed: false,
    api_key_id: 'key_0123456789abcdef', user: 'alice & bob', tags: ['team:red', 'env:a=b'],
  },
  search: 'qwen 2',
  live: false,
  requestId: 42,
  usage: { granularity: 'week', groupBy: 'none', metric: 'cost' },
};

describe('URL state', () => {
  it('round trips every field', () => {
    assert.deepEqual(parseState(serializeState(FULL)), FULL);
    const preset: DashboardState = { ...DEFAULT_STATE, tab: 'models', range: { key: '7d' }, filters: { streamed: true, tags: [] } };
    assert.deepEqual(parseState(serializeState(preset)), preset);
    assert.deepEqual(parseState(serializeState({ ...DEFAULT_STATE, range: { key: 'all' } })).range, { key: 'all' });
  });

  it('writes the stats API parameter names, in a fixed order', () => {
    assert.equal(
      serializeState(FULL),
      'tab=requests&range=custom&from=2024-01-15T10%3A00%3A00.000Z&to=2024-01-15T14%3A30%3A00.000Z' +
        '&model=llama3.1%3A8b&endpoint=%2Fv1%2Fchat%2Fcompletions&api_key_id=key_0123456789abcdef&user=alice+%26+bob' +
        '&status=error&streamed=false&tag=team%3Ared&tag=env%3Aa%3Db&q=qwen+2&live=off&request=42' +
        '&granularity=week&group_by=none&metric=cost',
    );
  });

  it('leaves defaults out: the default view is the bare page', () => {
    assert.equal(serializeState(DEFAULT_STATE), '');
    assert.deepEqual(parseState(''), DEFAULT_STATE);
    assert.equal(serializeState(parseState('range=24h&tab=overview&live=on')), '');
  });

  it('is canonical: parameters in any order give the same URL', () => {
    const a = parseState('user=u&range=1h&tab=keys&tag=b:2&tag=a:1');
    const b = parseState('tag=b:2&tab=keys&tag=a:1&range=1h&user=u');
    assert.equal(serializeState(a), serializeState(b));
    assert.equal(serializeState(a), 'tab=keys&range=1h&user=u&tag=b%3A2&tag=a%3A1');
  });

  it('falls back to the default for unknown or malformed values', () => {
    const state = parseState(
      'tab=nope&range=2w&status=maybe&streamed=yes&request=abc&model=&tag=novalue&tag=:x&tag=k:&tag=ok:1',
    );
    assert.deepEqual(state, { ...DEFAULT_STATE, filters: { tags: ['ok:1'] } });
    assert.deepEqual(parseState('range=custom&from=2024-01-15T10:00:00Z').range, DEFAULT_STATE.range, 'custom without an end');
    assert.deepEqual(
      parseState('range=custom&from=2024-01-15T10:00:00Z&to=2024-01-15T09:00:00Z').range,
      DEFAULT_STATE.range,
      'custom ending before it starts',
    );
    assert.equal(parseState('request=0').requestId, null);
    assert.equal(parseState('request=-3').requestId, null);
  });

  it('custom ranges accept any ISO-8601 offset and normalise to UTC', () => {
    const state = parseState('range=custom&from=2024-01-15T12:00:00%2B02:00&to=2024-01-15T12:00:00Z');
    assert.deepEqual(state.range, { key: 'custom', from: Date.UTC(2024, 0, 15, 10), to: Date.UTC(2024, 0, 15, 12) });
  });

  it('tags are key:value with both parts non-empty; hasFilters counts any filter', () => {
    assert.equal(isValidTag('team:red'), true);
    assert.equal(isValidTag('url:http://x'), true);
    assert.equal(isValidTag('team'), false);
    assert.equal(isValidTag(':red'), false);
    assert.equal(isValidTag('team:'), false);
    assert.equal(hasFilters({ tags: [] }), false);
    assert.equal(hasFilters({ tags: ['a:b'] }), true);
    assert.equal(hasFilters({ streamed: false, tags: [] }), true);
  });

  it('the Usage view opens on the last 30 days, the others on 24 h; a link says a range only when it is not the default', () => {
    assert.deepEqual(defaultRange('usage'), { key: '30d' });
    assert.deepEqual(defaultRange('overview'), { key: '24h' });
    assert.deepEqual(parseState('tab=usage').range, { key: '30d' });
    assert.equal(serializeState(parseState('tab=usage&range=30d')), 'tab=usage');
    assert.equal(serializeState(parseState('tab=usage&range=24h')), 'tab=usage&range=24h', '24 h is not the default of Usage');
    assert.equal(serializeState(parseState('tab=models&range=30d')), 'tab=models&range=30d');
    assert.deepEqual(parseState('tab=usage&range=custom&from=2024-01-15T10:00:00Z').range, { key: '30d' }, 'a bad range falls back to the view default');
  });

  it('switching views: a default range becomes the new view default, a chosen range is kept', () => {
    const overview = parseState('');
    const usage = withTab(overview, 'usage');
    assert.equal(usage.tab, 'usage');
    assert.deepEqual(usage.range, { key: '30d' });
    assert.deepEqual(withTab(usage, 'models').range, { key: '24h' });
    const chosen = parseState('range=7d');
    assert.deepEqual(withTab(chosen, 'usage').range, { key: '7d' });
    assert.deepEqual(withTab(withTab(chosen, 'usage'), 'overview').range, { key: '7d' });
    const all = parseState('tab=usage&range=all');
    assert.deepEqual(withTab(all, 'requests').range, { key: 'all' });
  });

  it('usage settings: defaults left out, each one round trips, bad values fall back', () => {
    assert.deepEqual(parseState('').usage, DEFAULT_USAGE);
    assert.deepEqual(DEFAULT_USAGE, { granularity: 'day', groupBy: 'model', metric: 'tokens' });
    for (const query of ['granularity=month', 'group_by=api_key_id', 'group_by=none', 'metric=requests', 'granularity=week&group_by=user&metric=cost']) {
      assert.equal(serializeState(parseState(`tab=usage&${query}`)), `tab=usage&${query}`);
    }
    assert.deepEqual(parseState('granularity=year&group_by=tag&metric=speed').usage, DEFAULT_USAGE);
    assert.equal(serializeState(parseState('granularity=day&group_by=model&metric=tokens')), '');
  });
});
