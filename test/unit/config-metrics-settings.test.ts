import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { otelPlan } from '../../src/metrics/otel/otel-plan.js';
import { parseResourceAttributes } from '../../src/metrics/otel/resource-attributes.js';

const load = (env: Record<string, string>) => loadConfig({ argv: [], env, dotenv: {} });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('metrics and OpenTelemetry settings', () => {
  it('reads the standard OTEL_* variables and the metrics settings', () => {
    const config = load({
      METRICS_LABEL_LIMIT: '20',
      METRICS_ATTRIBUTION_LABELS: 'user,tag:team',
      GEN_AI_PROVIDER_NAME: 'ollama',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
      OTEL_SERVICE_NAME: 'gateway',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=ml%20platform',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
    });
    assert.equal(config.metricsLabelLimit, 20);
    assert.deepEqual(config.metricsAttributionLabels, ['user', 'tag:team']);
    assert.equal(config.genAiProviderName, 'ollama');
    assert.equal(config.otelExporterOtlpEndpoint, 'http://collector:4318');
    assert.equal(config.otelExporterOtlpMetricsEndpoint, null);
    assert.equal(config.otelServiceName, 'gateway');
    assert.deepEqual(config.otelResourceAttributes, { 'deployment.environment.name': 'prod', team: 'ml platform' });
    assert.deepEqual(otelPlan(config, '1.2.3'), {
      metricsUrl: 'http://collector:4318/v1/metrics',
      tracesUrl: 'https://traces.example/v1/traces',
      resource: { 'service.version': '1.2.3', 'deployment.environment.name': 'prod', team: 'ml platform', 'service.name': 'gateway' },
      metricExportIntervalMs: 15000,
    });
  });

  it('leaves OpenTelemetry off without any endpoint, and exports only the signal whose endpoint is set', () => {
    assert.equal(otelPlan(load({ OTEL_SERVICE_NAME: 'x', OTEL_RESOURCE_ATTRIBUTES: 'a=b' }), '1'), null);
    const metricsOnly = otelPlan(load({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://c:4318/custom' }), '1');
    assert.equal(metricsOnly?.metricsUrl, 'http://c:4318/custom');
    assert.equal(metricsOnly?.tracesUrl, null);
    assert.equal(otelPlan(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/otlp/' }), '1')?.tracesUrl, 'http://c:4318/otlp/v1/traces');
  });

  it('names the service from OTEL_SERVICE_NAME, else OTEL_RESOURCE_ATTRIBUTES, else llm-metrics-proxy', () => {
    const name = (env: Record<string, string>) => otelPlan(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...env }), '1')?.resource['service.name'];
    assert.equal(name({}), 'llm-metrics-proxy');
    assert.equal(name({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' }), 'from-attributes');
    assert.equal(name({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes', OTEL_SERVICE_NAME: 'from-name' }), 'from-name');
  });

  it('refuses bad values at start-up, naming each', () => {
    const found = problems({
      METRICS_LABEL_LIMIT: '0',
      METRICS_ATTRIBUTION_LABELS: 'model',
      GEN_AI_PROVIDER_NAME: 'Open AI',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_RESOURCE_ATTRIBUTES: 'novalue',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
    });
    assert.equal(found.length, 6);
    for (const [i, name] of ['METRICS_LABEL_LIMIT', 'METRICS_ATTRIBUTION_LABELS', 'GEN_AI_PROVIDER_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_METRIC_EXPORT_INTERVAL'].entries()) {
      assert.match(found[i] ?? '', new RegExp(`^${name} \\(from environment\\): `));
    }
  });
});

describe('parseResourceAttributes', () => {
  it('decodes percent-encoded values and skips empty items', () => {
    assert.deepEqual(parseResourceAttributes('a=1, b = x%2Cy ,,c='), { attributes: { a: '1', b: 'x,y', c: '' } });
  });
  it('refuses items without a key and bad percent-encoding', () => {
    assert.ok('error' in parseResourceAttributes('=v'));
    assert.ok('error' in parseResourceAttributes('a=%zz'));
  });
});
