/** Range arithmetic: windows of the presets, the previous period, labels, local input values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeRange, formatSpan, fromLocalInput, PRESET_DURATIONS, previousWindow, RANGE_KEYS, resolveWindow, toLocalInput,
} from '../../web/src/lib/time-range.js';

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('time ranges', () => {
  it('offers 15 m, 1 h, 6 h, 24 h, 7 d, 30 d, all and custom', () => {
    assert.deepEqual(RANGE_KEYS, ['15m', '1h', '6h', '24h', '7d', '30d', 'all', 'custom']);
    assert.deepEqual(Object.values(PRESET_DURATIONS), [15 * MIN, HOUR, 6 * HOUR, 24 * HOUR, 7 * 24 * HOUR, 30 * 24 * HOUR]);
  });

  it('a preset ends now and starts its length before', () => {
    assert.deepEqual(resolveWindow({ key: '15m' }, NOW), { start: NOW - 15 * MIN, end: NOW });
    assert.deepEqual(resolveWindow({ key: '7d' }, NOW), { start: NOW - 7 * 24 * HOUR, end: NOW });
  });

  it('all time is unbounded; custom is what was chosen, whatever the time', () => {
    assert.deepEqual(resolveWindow({ key: 'all' }, NOW), { start: null, end: null });
    const custom = { key: 'custom', from: NOW - 5 * HOUR, to: NOW - 2 * HOUR } as const;
    assert.deepEqual(resolveWindow(custom, NOW), { start: NOW - 5 * HOUR, end: NOW - 2 * HOUR });
    assert.deepEqual(resolveWindow(custom, NOW + 10 * HOUR), { start: NOW - 5 * HOUR, end: NOW - 2 * HOUR });
  });

  it('the previous period has the same length and ends where the window starts', () => {
    assert.deepEqual(previousWindow({ start: NOW - HOUR, end: NOW }), { start: NOW - 2 * HOUR, end: NOW - HOUR });
    assert.deepEqual(previousWindow({ start: NOW - 5 * HOUR, end: NOW - 2 * HOUR }), { start: NOW - 8 * HOUR, end: NOW - 5 * HOUR });
    assert.equal(previousWindow({ start: null, end: null }), null);
    assert.equal(previousWindow({ start: NOW, end: null }), null);
  });

  it('labels: spans and range descriptions', () => {
    assert.equal(formatSpan(15 * MIN), '15 min');
    assert.equal(formatSpan(HOUR), '1 h');
    assert.equal(formatSpan(24 * HOUR), '24 h');
    assert.equal(formatSpan(2.5 * HOUR), '2 h 30 min');
    assert.equal(formatSpan(7 * 24 * HOUR), '7 days');
    assert.equal(describeRange({ key: '24h' }), 'last 24 h');
    assert.equal(describeRange({ key: '30d' }), 'last 30 days');
    assert.equal(describeRange({ key: 'all' }), 'all time');
    assert.equal(describeRange({ key: 'custom', from: NOW, to: NOW + 3 * HOUR }), '3 h');
  });

  it('datetime-local values: local wall time there and back', () => {
    // UTC+2 (offset −120): 12:00 UTC is 14:00 on the wall.
    assert.equal(toLocalInput(NOW, -120), '2024-01-15T14:00');
    assert.equal(toLocalInput(NOW, 0), '2024-01-15T12:00');
    const local = fromLocalInput('2024-01-15T14:30');
    assert.equal(local, new Date(2024, 0, 15, 14, 30).getTime());
    assert.equal(toLocalInput(local!), '2024-01-15T14:30');
    assert.equal(fromLocalInput(''), null);
    assert.equal(fromLocalInput('2024-01-15'), null);
    assert.equal(fromLocalInput('2024-13-45T99:99'), null);
  });
});
