/**
 * The OpenTelemetry SDK, loaded only when an OTLP endpoint is configured (service-metrics.ts
 * imports this module dynamically): without one, none of these packages is even loaded.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../../logger.js';
import type { AttributionLabel } from '../attribution-labels.js';
import type { MetricsSink } from '../metrics-sink.js';
import { OtelMetricsSink } from './otel-metrics-sink.js';
import type { OtelPlan } from './otel-plan.js';
import { RequestSpans, type UpstreamEndpoint } from './request-spans.js';

const SCOPE = 'llm-metrics-proxy';

export interface OtelExport {
  /** Null when only traces are exported. */
  readonly sink: MetricsSink | null;
  /** Null when only metrics are exported. */
  readonly spans: RequestSpans | null;
  /** Sends what is pending (final metrics, queued spans), then stops the exporters. */
  shutdown(): Promise<void>;
}

export interface OtelOptions {
  readonly plan: OtelPlan;
  readonly logger: Logger;
  readonly providerName: string;
  readonly upstream: UpstreamEndpoint;
  readonly attributionLabels: readonly AttributionLabel[];
  readonly queueDepth: () => number;
}

/** Starts OTLP/HTTP (JSON) export of metrics and/or spans. */
export function startOtelExport(options: OtelOptions): OtelExport {
  const { plan, logger } = options;
  const log = logger.child({ component: 'opentelemetry' });
  // The SDK reports export failures (collector down…) through its diag logger, silent by default.
  diag.setLogger(
    { error: (m, ...a) => log.error({ details: a }, m), warn: (m, ...a) => log.warn({ details: a }, m), info: () => {}, debug: () => {}, verbose: () => {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  const resource = defaultResource().merge(resourceFromAttributes(plan.resource));
  const version = plan.resource['service.version'];

  let meterProvider: MeterProvider | null = null;
  let sink: MetricsSink | null = null;
  if (plan.metricsUrl !== null) {
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: plan.metricsUrl }),
      exportIntervalMillis: plan.metricExportIntervalMs,
      exportTimeoutMillis: Math.min(30_000, plan.metricExportIntervalMs),
    });
    meterProvider = new MeterProvider({ resource, readers: [reader] });
    sink = new OtelMetricsSink(meterProvider.getMeter(SCOPE, version), options.attributionLabels, options.queueDepth);
  }

  let tracerProvider: BasicTracerProvider | null = null;
  let spans: RequestSpans | null = null;
  if (plan.tracesUrl !== null) {
    tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: plan.tracesUrl }))] });
    spans = new RequestSpans(tracerProvider.getTracer(SCOPE, version), options.providerName, options.upstream);
  }
  log.info({ metrics: plan.metricsUrl, traces: plan.tracesUrl, serviceName: plan.resource['service.name'] }, 'OpenTelemetry export on');

  return {
    sink,
    spans,
    async shutdown() {
      const results = await Promise.allSettled([meterProvider?.shutdown(), tracerProvider?.shutdown()]);
      for (const r of results) if (r.status === 'rejected') log.warn({ err: r.reason }, 'OpenTelemetry export did not shut down cleanly');
    },
  };
}
