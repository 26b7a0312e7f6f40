import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expositionFormat, metricsFormat } from '../../src/api/metrics-format.js';

const PROMETHEUS = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_TEXT_ONLY = 'text/plain;version=0.0.4;q=1,*/*;q=0.1'; // scrape_protocols: [PrometheusText0.0.4]
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('metricsFormat: what GET /metrics answers', () => {
  it('gives Prometheus OpenMetrics, which it prefers', () => assert.equal(metricsFormat(PROMETHEUS), 'openmetrics'));
  it('gives text-format scrapers the text format', () => {
    assert.equal(metricsFormat(PROMETHEUS_TEXT_ONLY), 'prometheus');
    assert.equal(metricsFormat('text/plain'), 'prometheus');
    assert.equal(metricsFormat('TEXT/PLAIN; charset=utf-8'), 'prometheus');
  });
  it('gives JSON to curl, browsers, JSON clients and requests without Accept', () => {
    for (const accept of ['*/*', FIREFOX, 'application/json', 'application/json, text/plain, */*', undefined, '', 'image/png']) {
      assert.equal(metricsFormat(accept), 'json', String(accept));
    }
  });
  it('follows q-values and prefers a type named outright over a wildcard match', () => {
    assert.equal(metricsFormat('application/json;q=0.4, text/plain;q=0.5'), 'prometheus');
    assert.equal(metricsFormat('text/plain;q=0.5, */*'), 'json');
    assert.equal(metricsFormat('text/plain, */*'), 'prometheus');
    assert.equal(metricsFormat('application/json;q=0, text/*'), 'prometheus');
    assert.equal(metricsFormat('text/plain;q=0, application/openmetrics-text;q=0'), 'json');
  });
});

describe('expositionFormat: what GET /metrics/prometheus answers', () => {
  it('is OpenMetrics only when the client prefers it, else the text format', () => {
    assert.equal(expositionFormat(PROMETHEUS), 'openmetrics');
    assert.equal(expositionFormat('application/openmetrics-text'), 'openmetrics');
    for (const accept of [PROMETHEUS_TEXT_ONLY, '*/*', FIREFOX, 'application/json', undefined]) assert.equal(expositionFormat(accept), 'prometheus', String(accept));
  });
});
