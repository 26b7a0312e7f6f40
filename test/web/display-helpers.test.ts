/** Chart columns, the request detail's fields, the proxy address and snippets, the theme choice. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Timeseries, TimeseriesBucket } from '../../src/api/stats-shapes.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { chartColumns, CHARTS, describeChart, isolatedIndices } from '../../web/src/lib/chart-data.js';
import { clientProxyUrl, curlSnippet, nodeSnippet, pythonSnippet } from '../../web/src/lib/proxy-address.js';
import { detailRows, REQUEST_FIELDS } from '../../web/src/lib/request-fields.js';
import { parsePreference, resolveTheme } from '../../web/src/lib/theme.js';

const pct = (p50: number | null) => ({ p50, p95: p50 === null ? null : p50 * 2, p99: p50 === null ? null : p50 * 3 });
function bucket(minute: number, requests: number, errors: number, duration: number | null): TimeseriesBucket {
  return {
    start: new Date(Date.UTC(2024, 0, 15, 12, minute)).toISOString(), requests, errors, streamed: 0, input_tokens: requests * 10,
    output_tokens: requests * 5, cost_usd: 0, duration_ms: pct(duration), ttft_ms: pct(null), tokens_per_second: pct(null),
  };
}
const SERIES: Timeseries = {
  start: '2024-01-15T12:00:00.000Z', end: '2024-01-15T12:03:00.000Z', bucket: '1m', bucket_ms: 60_000,
  buckets: [bucket(0, 5, 1, 100), bucket(1, 0, 0, null), bucket(2, 3, 3, 40)],
};
const chart = (id: string) => CHARTS.find((c) => c.id === id)!;

describe('chart data', () => {
  it('five charts: requests (stacked success/error), tokens, duration, TTFT, speed', () => {
    assert.deepEqual(CHARTS.map((c) => [c.id, c.series.map((s) => s.label)]), [
      ['requests', ['Success', 'Error']],
      ['tokens', ['Input', 'Output']],
      ['duration', ['p50', 'p95', 'p99']],
      ['ttft', ['p50', 'p95', 'p99']],
      ['tokens-per-second', ['p50', 'p95']],
    ]);
  });

  it('columns: x in Unix seconds, then one array per series; stacked charts hold running sums', () => {
    const x = [0, 1, 2].map((m) => Date.UTC(2024, 0, 15, 12, m) / 1000);
    assert.deepEqual(chartColumns(SERIES, chart('requests')), [x, [4, 0, 0], [5, 0, 3]]);
    assert.deepEqual(chartColumns(SERIES, chart('duration')), [x, [100, null, 40], [200, null, 80], [300, null, 120]]);
    assert.deepEqual(chartColumns(SERIES, chart('tokens')), [x, [50, 0, 30], [25, 0, 15]]);
  });

  it('isolated values are drawn as dots; a screen reader gets the peaks', () => {
    assert.deepEqual(isolatedIndices([1, null, 3, 4, null, 6]), [0, 5]);
    assert.deepEqual(isolatedIndices([null, 2, null]), [1]);
    assert.deepEqual(isolatedIndices([]), []);
    assert.equal(describeChart(SERIES, chart('duration')), 'Duration per 1m over 3 intervals: p50 peak 100 ms, p95 peak 200 ms, p99 peak 300 ms');
    assert.equal(describeChart(SERIES, chart('ttft')), 'Time to first token per 1m over 3 intervals: p50 peak none, p95 peak none, p99 peak none');
  });
});

describe('request detail fields', () => {
  const request = {
    id: 7, start_time: '2024-01-15T12:00:00.000Z', method: 'POST', endpoint: '/v1/chat/completions', model: 'm', response_model: 'm',
    status_code: 200, is_error: false, error_type: null, error_message: null, was_streamed: true, input_tokens: 1200,
    output_tokens: 30, total_tokens: 1230, cached_input_tokens: null, reasoning_tokens: 0, usage_source: 'reported', ttft_ms: 120.5,
    ttlt_ms: 1500, duration_ms: 1510, tokens_per_second: 21.7, finish_reason: 'stop', message_count: 2, origin: null,
    api_key_id: 'key_0123456789abcdef', user: null, tags: { team: 'red', env: 'prod' }, cost_usd: 0.00123,
    cache_creation_input_tokens: 512, tool_calls: 2, backend_prompt_ms: 35.2, backend_generation_ms: 1380,
    backend_tokens_per_second: 21.74, backend_load_ms: null, backend_total_ms: 1420,
  } satisfies Required<StoredRequest>;

  it('lists every recorded field with a label and unit', () => {
    const rows = detailRows(request);
    assert.deepEqual(rows.map((r) => r.field), Object.keys(request), 'every field, in the API order');
    const value = (field: string) => rows.find((r) => r.field === field)!.value;
    assert.equal(value('input_tokens'), '1,200');
    assert.equal(value('ttft_ms'), '121 ms');
    assert.equal(value('duration_ms'), '1.51 s');
    assert.equal(value('was_streamed'), 'yes');
    assert.equal(value('cached_input_tokens'), '—');
    assert.equal(value('reasoning_tokens'), '0');
    assert.equal(value('tags'), 'team=red, env=prod');
    assert.equal(value('cost_usd'), '$0.00123');
    assert.equal(value('tokens_per_second'), '21.7 tok/s');
    assert.equal(value('cache_creation_input_tokens'), '512');
    assert.equal(value('tool_calls'), '2');
    assert.equal(value('backend_prompt_ms'), '35 ms');
    assert.equal(value('backend_generation_ms'), '1.38 s');
    assert.equal(value('backend_tokens_per_second'), '21.7 tok/s');
    assert.equal(value('backend_load_ms'), '—');
    assert.equal(REQUEST_FIELDS.length, Object.keys(request).length);
  });

  it('shows a field it does not know (a newer server) as raw JSON after the known ones', () => {
    const rows = detailRows({ ...request, gpu: { name: 'A100' } } as StoredRequest);
    assert.deepEqual(rows.at(-1), { field: 'gpu', label: 'gpu', value: '{"name":"A100"}' });
  });
});

describe('proxy address and snippets', () => {
  it('a wildcard bind becomes the host the dashboard was opened at', () => {
    assert.equal(clientProxyUrl('http://0.0.0.0:8080', 'metrics.lan'), 'http://metrics.lan:8080');
    assert.equal(clientProxyUrl('http://[::]:8080', 'localhost'), 'http://localhost:8080');
    assert.equal(clientProxyUrl('http://[::]:8080', '::1'), 'http://[::1]:8080');
    assert.equal(clientProxyUrl('http://127.0.0.1:9000', 'metrics.lan'), 'http://127.0.0.1:9000');
  });

  it('curl and the OpenAI SDKs point at <proxy>/v1', () => {
    assert.match(curlSnippet('http://h:1'), /^curl http:\/\/h:1\/v1\/chat\/completions \\\n/);
    assert.ok(pythonSnippet('http://h:1').includes('OpenAI(base_url="http://h:1/v1"'));
    assert.ok(nodeSnippet('http://h:1').includes("new OpenAI({ baseURL: 'http://h:1/v1'"));
  });
});

describe('theme', () => {
  it('follows the system unless light or dark was chosen', () => {
    assert.equal(parsePreference(null), 'system');
    assert.equal(parsePreference('dark'), 'dark');
    assert.equal(parsePreference('purple'), 'system');
    assert.equal(resolveTheme('system', true), 'dark');
    assert.equal(resolveTheme('system', false), 'light');
    assert.equal(resolveTheme('light', true), 'light');
    assert.equal(resolveTheme('dark', false), 'dark');
  });
});
