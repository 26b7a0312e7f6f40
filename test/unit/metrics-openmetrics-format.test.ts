import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { openMetricsText, renderExposition } from '../../src/metrics/exposition.js';

function registry(): Registry {
  const r = new Registry();
  const counter = new Counter({ name: 'demo_requests_total', help: 'Requests "served"\\ok\nsecond line', labelNames: ['model'], registers: [r] });
  counter.inc({ model: 'a"b\\c\nd' }, 2);
  new Gauge({ name: 'demo_in_flight', help: 'In flight', registers: [r] }).set(3);
  const histogram = new Histogram({ name: 'demo_duration_seconds', help: 'Duration', buckets: [0.1, 1], registers: [r] });
  histogram.observe(0.05);
  histogram.observe(5);
  return r;
}

describe('OpenMetrics exposition', () => {
  it('renders the whole registry exactly: counter families without _total, samples with it, escapes, # EOF', async () => {
    assert.equal(
      await openMetricsText(registry()),
      [
        '# TYPE demo_requests counter',
        '# HELP demo_requests Requests \\"served\\"\\\\ok\\nsecond line',
        'demo_requests_total{model="a\\"b\\\\c\\nd"} 2',
        '# TYPE demo_in_flight gauge',
        '# HELP demo_in_flight In flight',
        'demo_in_flight 3',
        '# TYPE demo_duration_seconds histogram',
        '# HELP demo_duration_seconds Duration',
        'demo_duration_seconds_bucket{le="0.1"} 1',
        'demo_duration_seconds_bucket{le="1"} 1',
        'demo_duration_seconds_bucket{le="+Inf"} 2',
        'demo_duration_seconds_sum 5.05',
        'demo_duration_seconds_count 2',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('leaves the text format intact afterwards (counters keep their _total)', async () => {
    const r = registry();
    await renderExposition(r, 'openmetrics');
    const text = await renderExposition(r, 'prometheus');
    assert.equal(text.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(text.body, /^# TYPE demo_requests_total counter$/m);
    assert.match(text.body, /^demo_requests_total\{model=".*"\} 2$/m);
  });
});
