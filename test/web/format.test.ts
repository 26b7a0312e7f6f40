/** Number formatting: units (ms/s), thousands separators, dollars, missing values. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCompact, formatCount, formatDuration, formatPercent, formatTimestamp, formatTokensPerSecond, formatUsd, MISSING,
} from '../../web/src/lib/format.js';

describe('formatCount', () => {
  it('groups thousands with commas and rounds to an integer', () => {
    assert.equal(formatCount(0), '0');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(1000), '1,000');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(12.6), '13');
  });
  it('shows a missing value as an em dash', () => assert.equal(formatCount(null), MISSING));
});

describe('formatDuration', () => {
  it('keeps milliseconds below a second, with precision where it matters', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(0.4213), '0.42 ms');
    assert.equal(formatDuration(8.46), '8.5 ms');
    assert.equal(formatDuration(312.4), '312 ms');
    assert.equal(formatDuration(999.4), '999 ms');
  });
  it('switches to seconds from one second, and to minutes from one', () => {
    assert.equal(formatDuration(999.6), '1.00 s');
    assert.equal(formatDuration(1250), '1.25 s');
    assert.equal(formatDuration(12_340), '12.3 s');
    assert.equal(formatDuration(59_960), '1 min 0 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
  });
  it('null is missing', () => assert.equal(formatDuration(null), MISSING));
});

describe('formatUsd', () => {
  it('cents from a dollar up, with thousands separators', () => {
    assert.equal(formatUsd(1), '$1.00');
    assert.equal(formatUsd(1234.567), '$1,234.57');
  });
  it('four significant digits below a dollar, so small costs do not read as zero', () => {
    assert.equal(formatUsd(0.5), '$0.50');
    assert.equal(formatUsd(0.12345), '$0.1235');
    assert.equal(formatUsd(0.001234567), '$0.001235');
    assert.equal(formatUsd(0.0000053), '$0.0000053');
  });
  it('zero, negative and missing', () => {
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(-2.5), '-$2.50');
    assert.equal(formatUsd(null), MISSING);
  });
});

describe('percent, speed, compact axis labels, timestamps', () => {
  it('formatPercent: a ratio with one decimal', () => {
    assert.equal(formatPercent(0.995), '99.5%');
    assert.equal(formatPercent(1), '100.0%');
    assert.equal(formatPercent(0), '0.0%');
    assert.equal(formatPercent(null), MISSING);
  });
  it('formatTokensPerSecond', () => {
    assert.equal(formatTokensPerSecond(42.06), '42.1 tok/s');
    assert.equal(formatTokensPerSecond(1234.5), '1,234.5 tok/s');
    assert.equal(formatTokensPerSecond(null), MISSING);
  });
  it('formatCompact', () => {
    assert.equal(formatCompact(0), '0');
    assert.equal(formatCompact(950), '950');
    assert.equal(formatCompact(1234), '1.23k');
    assert.equal(formatCompact(25_000), '25k');
    assert.equal(formatCompact(3_400_000), '3.4M');
    assert.equal(formatCompact(1.5e9), '1.5B');
    assert.equal(formatCompact(0.5), '0.5');
  });
  it('formatTimestamp: in the given time zone, to the second, 24-hour clock', () => {
    assert.equal(formatTimestamp('2024-01-15T13:04:05.678Z', 'UTC'), '2024-01-15 13:04:05');
    assert.equal(formatTimestamp('2024-01-15T23:30:00.000Z', 'Asia/Tokyo'), '2024-01-16 08:30:00');
    assert.equal(formatTimestamp('2024-07-01T00:00:00.000Z', 'America/New_York'), '2024-06-30 20:00:00');
  });
});
