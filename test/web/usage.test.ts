/** The Usage view's logic: its query, UTC periods and their labels, the stack (top groups + other), table rows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as server from '../../src/domain/usage.js';
import type { UsageAnswer, UsageEntry, UsageSums } from '../../web/src/lib/api-types.js';
import {
  describeUsageChart, formatMetric, formatMetricAxis, isPeriodCut, MAX_STACKED_GROUPS, nextPeriod, periodAxisLabel, periodLabel,
  periodsBetween, periodStart, stackColumns, stackUsage, usageColumns, usageCsvPath, usagePath, usageTableRows, usageTotals,
  usageWindow, type Granularity,
} from '../../web/src/lib/usage.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 17, 30); // Friday 4 Dec 2026, 17:30 UTC
const NO_FILTERS = { tags: [] };

function sums(requests: number, tokens = requests * 100, cost = requests / 100): UsageSums {
  return {
    requests, errors: 0, input_tokens: tokens / 2, output_tokens: tokens / 2, total_tokens: tokens, cached_input_tokens: 0,
    reasoning_tokens: 0, cost_usd: cost, duration_ms: requests * 10,
  };
}

function answer(rows: UsageEntry[], extra: Partial<UsageAnswer> = {}): UsageAnswer {
  const totals = rows.reduce<UsageSums>((t, r) => {
    const out = { ...t };
    for (const k of Object.keys(t) as Array<keyof UsageSums>) out[k] = t[k] + r[k];
    return out;
  }, { ...sums(0), total_tokens: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 });
  return {
    start: '2026-12-01T00:00:00.000Z', end: new Date(NOW).toISOString(), granularity: 'day', group_by: 'model',
    partial: false, retained_from: null, usage_retained_from: null, usage: rows, totals, ...extra,
  };
}

const day = (d: number) => new Date(Date.UTC(2026, 11, d)).toISOString();

describe('usage periods', () => {
  it('start and step exactly as the server does (UTC days, Monday weeks, calendar months)', () => {
    let t = Date.UTC(2023, 10, 20, 13, 7);
    for (let i = 0; i < 2000; i++) {
      t += 3 * 3_600_000 + 17 * 60_000 + i * 1009; // irregular steps over ~8 months, leap day included
      for (const g of ['day', 'week', 'month'] as const) {
        assert.equal(periodStart(t, g), server.periodStart(t, g), `${g} ${new Date(t).toISOString()}`);
        assert.equal(nextPeriod(periodStart(t, g), g), server.nextPeriod(server.periodStart(t, g), g));
      }
    }
    assert.equal(new Date(periodStart(NOW, 'week')).toISOString(), '2026-11-30T00:00:00.000Z', 'the Monday');
    assert.equal(new Date(periodStart(Date.UTC(2026, 10, 30), 'week')).toISOString(), '2026-11-30T00:00:00.000Z', 'a Monday is its own week');
    assert.equal(new Date(periodStart(Date.UTC(2026, 11, 6, 23), 'week')).toISOString(), '2026-11-30T00:00:00.000Z', 'Sunday ends it');
    assert.equal(nextPeriod(Date.UTC(2024, 1, 1), 'month'), Date.UTC(2024, 2, 1), 'February of a leap year');
  });

  it('periodsBetween lists every period from the one holding start to the one holding end, empty ones too', () => {
    const days = periodsBetween(Date.UTC(2026, 10, 4), NOW, 'day');
    assert.equal(days.length, 31);
    assert.equal(days[0], Date.UTC(2026, 10, 4));
    assert.equal(days.at(-1), Date.UTC(2026, 11, 4));
    assert.deepEqual(periodsBetween(Date.UTC(2026, 10, 4), NOW, 'month'), [Date.UTC(2026, 10, 1), Date.UTC(2026, 11, 1)]);
    assert.deepEqual(periodsBetween(NOW, NOW, 'day'), [], 'an empty range has none');
    assert.deepEqual(periodsBetween(Date.UTC(2026, 11, 4), Date.UTC(2026, 11, 5), 'day'), [Date.UTC(2026, 11, 4)], 'end is exclusive');
  });

  it('labels: day, week of its Monday, month; short axis labels', () => {
    const t = Date.UTC(2026, 10, 4);
    assert.equal(periodLabel(t, 'day'), '4 Nov 2026');
    assert.equal(periodLabel(Date.UTC(2026, 10, 2), 'week'), 'Week of 2 Nov 2026');
    assert.equal(periodLabel(Date.UTC(2026, 8, 1), 'month'), 'Sep 2026');
    assert.equal(periodAxisLabel(t, 'day'), '4 Nov');
    assert.equal(periodAxisLabel(Date.UTC(2026, 10, 2), 'week'), '2 Nov');
    assert.equal(periodAxisLabel(Date.UTC(2027, 0, 1), 'month'), 'Jan 2027');
    // The labels are UTC whatever the machine's zone: one minute before midnight UTC is still that day.
    assert.equal(periodLabel(Date.UTC(2026, 10, 4, 23, 59), 'day'), '4 Nov 2026');
  });

  it('a period running past the answer end is cut (today, this week, this month)', () => {
    const a = { end: new Date(NOW).toISOString(), granularity: 'day' as Granularity };
    assert.equal(isPeriodCut(Date.UTC(2026, 11, 4), a), true);
    assert.equal(isPeriodCut(Date.UTC(2026, 11, 3), a), false);
    assert.equal(isPeriodCut(Date.UTC(2026, 10, 1), { ...a, granularity: 'month' }), false);
    assert.equal(isPeriodCut(Date.UTC(2026, 11, 1), { ...a, granularity: 'month' }), true);
  });
});

describe('usage query', () => {
  const window = { start: NOW - 30 * DAY, end: NOW };

  it('asks for whole periods: the start moves back to its period start; all time stays unbounded', () => {
    assert.deepEqual(usageWindow(window, 'day'), { start: Date.UTC(2026, 10, 4), end: NOW });
    assert.deepEqual(usageWindow(window, 'week'), { start: Date.UTC(2026, 10, 2), end: NOW });
    assert.deepEqual(usageWindow(window, 'month'), { start: Date.UTC(2026, 10, 1), end: NOW });
    assert.deepEqual(usageWindow({ start: null, end: null }, 'month'), { start: null, end: null });
  });

  it('the path: start, end, the usage filters (never tags), granularity and group_by; none leaves group_by out', () => {
    const filters = { model: 'llama3.2', api_key_id: 'key_1', user: 'alice', endpoint: '/v1/chat/completions', status: 'error' as const, streamed: true, tags: ['team:red'] };
    const path = usagePath(window, filters, { granularity: 'week', groupBy: 'user', metric: 'cost' });
    assert.equal(
      path,
      'stats/usage?start=2026-11-02T00%3A00%3A00.000Z&end=2026-12-04T17%3A30%3A00.000Z&model=llama3.2&endpoint=%2Fv1%2Fchat%2Fcompletions' +
        '&api_key_id=key_1&user=alice&status=error&streamed=true&granularity=week&group_by=user',
    );
    assert.ok(!path.includes('tag'), 'usage ignores tags (the API answers 400 to them)');
    assert.equal(usagePath({ start: null, end: null }, NO_FILTERS, { granularity: 'day', groupBy: 'none', metric: 'tokens' }), 'stats/usage?granularity=day');
  });

  it('the CSV link is the same query with format=csv', () => {
    const settings = { granularity: 'month', groupBy: 'model', metric: 'tokens' } as const;
    assert.equal(usageCsvPath(window, NO_FILTERS, settings), `${usagePath(window, NO_FILTERS, settings)}&format=csv`);
    assert.equal(usageCsvPath({ start: null, end: null }, { tags: ['a:b'] }, settings), 'stats/usage?granularity=month&group_by=model&format=csv');
  });
});

describe('usage stack', () => {
  it('one series per group, largest at the bottom, every period of the range (empty ones as 0)', () => {
    const a = answer([
      { period: day(1), model: 'small', ...sums(1) },
      { period: day(1), model: 'big', ...sums(5) },
      { period: day(3), model: 'big', ...sums(2) },
      { period: day(4), model: null, ...sums(3) },
    ]);
    const stack = stackUsage(a, 'model', 'requests');
    assert.deepEqual(stack.periods, [1, 2, 3, 4].map((d) => Date.UTC(2026, 11, d)));
    assert.deepEqual(stack.series.map((s) => [s.label, s.total, s.values]), [
      ['big', 7, [5, 0, 2, 0]],
      ['(none)', 3, [0, 0, 0, 3]],
      ['small', 1, [1, 0, 0, 0]],
    ]);
    assert.deepEqual(stack.series.map((s) => s.color), [0, 1, 2]);
    assert.deepEqual(stack.totals, [6, 0, 2, 3]);
  });

  it('ranks by the metric shown: cost can order the groups differently from requests', () => {
    const a = answer([
      { period: day(1), model: 'many-cheap', ...sums(10, 1000, 0.01) },
      { period: day(1), model: 'few-dear', ...sums(2, 5000, 3) },
    ]);
    assert.deepEqual(stackUsage(a, 'model', 'requests').series.map((s) => s.label), ['many-cheap', 'few-dear']);
    assert.deepEqual(stackUsage(a, 'model', 'cost').series.map((s) => s.label), ['few-dear', 'many-cheap']);
    assert.deepEqual(stackUsage(a, 'model', 'tokens').series.map((s) => [s.label, s.total]), [['few-dear', 5000], ['many-cheap', 1000]]);
  });

  it('caps the series at the top 8 and sums the rest as "other", which keeps every period total', () => {
    const rows: UsageEntry[] = [];
    for (let g = 0; g < 12; g++) {
      rows.push({ period: day(1), model: `m${g}`, ...sums(100 - g) });
      if (g % 2 === 0) rows.push({ period: day(2), model: `m${g}`, ...sums(1) });
    }
    const stack = stackUsage(answer(rows), 'model', 'requests');
    assert.equal(stack.series.length, MAX_STACKED_GROUPS + 1);
    assert.deepEqual(stack.series.slice(0, 8).map((s) => s.label), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    const other = stack.series.at(-1)!;
    assert.equal(other.label, 'other (4 groups)');
    assert.equal(other.color, 'other');
    assert.equal(other.groups, 4);
    // m8..m11 on day 1 (92+91+90+89), m8 and m10 on day 2 (1 each); m7 (93) ties with m8 (92+1) and wins by name.
    assert.deepEqual(other.values.slice(0, 2), [92 + 91 + 90 + 89, 2]);
    const all = rows.reduce((t, r) => t + r.requests, 0);
    assert.equal(stack.totals.reduce((a, b) => a + b, 0), all, 'nothing is lost in the cap');
    assert.equal(stackUsage(answer(rows.filter((r) => Number(r.model!.slice(1)) < 8)), 'model', 'requests').series.length, 8, 'eight groups: no other');
    assert.equal(stackUsage(answer(rows), 'model', 'requests', 3).series.at(-1)!.label, 'other (9 groups)');
  });

  it('ties: more requests first, then by name, requests without a group last', () => {
    const a = answer([
      { period: day(1), model: null, ...sums(1, 100) },
      { period: day(1), model: 'b', ...sums(1, 100) },
      { period: day(1), model: 'a', ...sums(1, 100) },
      { period: day(1), model: 'c', ...sums(2, 100) },
    ]);
    assert.deepEqual(stackUsage(a, 'model', 'tokens').series.map((s) => s.key), ['c', 'a', 'b', null]);
  });

  it('not grouped: one series named after the metric', () => {
    const a = answer([{ period: day(1), ...sums(4) }, { period: day(3), ...sums(1) }], { group_by: null });
    const stack = stackUsage(a, 'none', 'tokens');
    assert.deepEqual(stack.series.map((s) => [s.label, s.values]), [['Tokens', [400, 0, 100, 0]]]);
  });

  it('weeks and months: a first period starting before the range start still gets its place', () => {
    const a = answer([{ period: '2026-11-30T00:00:00.000Z', model: 'x', ...sums(2) }], { granularity: 'week', start: '2026-12-01T00:00:00.000Z' });
    assert.deepEqual(stackUsage(a, 'model', 'requests').periods, [Date.UTC(2026, 10, 30)]);
  });

  it('an empty answer: the periods, no series', () => {
    const stack = stackUsage(answer([]), 'model', 'requests');
    assert.equal(stack.series.length, 0);
    assert.equal(stack.periods.length, 4);
    assert.equal(describeUsageChart(stack, 'day', 'requests'), 'Requests per day over 4 days: none');
  });

  it('uPlot columns: x as period indices, running sums with the tallest (all series) first', () => {
    const a = answer([
      { period: day(1), model: 'big', ...sums(5) },
      { period: day(1), model: 'small', ...sums(1) },
      { period: day(2), model: 'small', ...sums(2) },
    ]);
    const stack = stackUsage(a, 'model', 'requests');
    assert.deepEqual(stackColumns(stack), [
      [0, 1, 2, 3],
      [6, 2, 0, 0], // big + small: drawn first, its visible top is small's segment
      [5, 0, 0, 0], // big alone, drawn over it
    ]);
    assert.equal(describeUsageChart(stack, 'day', 'requests'), 'Requests per day over 4 days, 8 in all: big 5, small 3');
  });
});

describe('usage figures and table', () => {
  it('formats each metric', () => {
    assert.equal(formatMetric(1234567, 'tokens'), '1,234,567');
    assert.equal(formatMetric(12, 'requests'), '12');
    assert.equal(formatMetric(0.0123, 'cost'), '$0.0123');
    assert.equal(formatMetricAxis(1500, 'tokens'), '1.5k');
    assert.equal(formatMetricAxis(2.5, 'cost'), '$2.5');
  });

  it('cached and reasoning tokens only when some row has them', () => {
    const plain = sums(3);
    assert.deepEqual(usageColumns(plain).map((c) => c.id), ['requests', 'errors', 'input-tokens', 'output-tokens', 'total-tokens', 'cost']);
    assert.deepEqual(
      usageColumns({ ...plain, cached_input_tokens: 5, reasoning_tokens: 7 }).map((c) => c.id),
      ['requests', 'errors', 'input-tokens', 'output-tokens', 'cached-tokens', 'reasoning-tokens', 'total-tokens', 'cost'],
    );
    assert.deepEqual(usageColumns({ ...plain, reasoning_tokens: 7 }).map((c) => c.id).includes('cached-tokens'), false);
    assert.deepEqual(usageTotals({ ...plain, cached_input_tokens: 1234 }).find((t) => t.id === 'cached-tokens'), {
      id: 'cached-tokens', label: 'Cached input', value: '1,234',
    });
  });

  it('table rows keep the answer order, with period labels and the group (null: none; undefined: not grouped)', () => {
    const a = answer([
      { period: day(1), model: 'big', ...sums(5) },
      { period: day(1), model: null, ...sums(1) },
      { period: day(2), model: 'big', ...sums(2) },
    ]);
    assert.deepEqual(usageTableRows(a, 'model').map((r) => [r.periodLabel, r.group, r.sums.requests]), [
      ['1 Dec 2026', 'big', 5], ['1 Dec 2026', null, 1], ['2 Dec 2026', 'big', 2],
    ]);
    const flat = answer([{ period: day(1), ...sums(6) }], { group_by: null });
    assert.equal(usageTableRows(flat, 'none')[0]!.group, undefined);
  });
});
