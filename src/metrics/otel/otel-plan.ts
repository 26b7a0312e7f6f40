import type { Config } from '../../config/config.js';

/** What to export over OTLP/HTTP, resolved from the standard OTEL_* settings; null: nothing. */
export interface OtelPlan {
  /** Full URL metrics are POSTed to, or null for no metrics. */
  readonly metricsUrl: string | null;
  /** Full URL spans are POSTed to, or null for no spans. */
  readonly tracesUrl: string | null;
  readonly resource: Readonly<Record<string, string>>;
  readonly metricExportIntervalMs: number;
}

export const DEFAULT_SERVICE_NAME = 'llm-metrics-proxy';

type OtelConfig = Pick<
  Config,
  | 'otelExporterOtlpEndpoint'
  | 'otelExporterOtlpMetricsEndpoint'
  | 'otelExporterOtlpTracesEndpoint'
  | 'otelServiceName'
  | 'otelResourceAttributes'
  | 'otelMetricExportIntervalMs'
>;

/**
 * Per the OTLP exporter specification: a signal-specific endpoint is used as it is; the general
 * OTEL_EXPORTER_OTLP_ENDPOINT is a base to which `v1/metrics` or `v1/traces` is appended. Service
 * name: OTEL_SERVICE_NAME, else `service.name` from OTEL_RESOURCE_ATTRIBUTES, else this program's.
 */
export function otelPlan(config: OtelConfig, serviceVersion: string): OtelPlan | null {
  const base = config.otelExporterOtlpEndpoint;
  const metricsUrl = config.otelExporterOtlpMetricsEndpoint ?? (base === null ? null : signalUrl(base, 'metrics'));
  const tracesUrl = config.otelExporterOtlpTracesEndpoint ?? (base === null ? null : signalUrl(base, 'traces'));
  if (metricsUrl === null && tracesUrl === null) return null;
  const attributes = config.otelResourceAttributes;
  return {
    metricsUrl,
    tracesUrl,
    resource: {
      'service.version': serviceVersion,
      ...attributes,
      'service.name': config.otelServiceName ?? attributes['service.name'] ?? DEFAULT_SERVICE_NAME,
    },
    metricExportIntervalMs: config.otelMetricExportIntervalMs,
  };
}

function signalUrl(base: string, signal: 'metrics' | 'traces'): string {
  return `${base.endsWith('/') ? base : `${base}/`}v1/${signal}`;
}
