import { packageVersion } from '../api/admin-info.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { ExchangeObserver } from '../proxy/exchange-observer.js';
import type { RecorderObserver } from '../recorder/recorder.js';
import { attributionLabel } from './attribution-labels.js';
import { ExchangeMetrics } from './exchange-metrics.js';
import { renderExposition, type Exposition, type ExpositionFormat } from './exposition.js';
import { fanOut, type MetricsSink } from './metrics-sink.js';
import { otelPlan } from './otel/otel-plan.js';
import { PrometheusSink } from './prometheus-sink.js';
import { RequestObserver } from './request-observation.js';

/** The service's metrics: Prometheus always, OTLP export when configured. */
export interface ServiceMetrics {
  /** For the proxy: in-flight requests, added latency, every finished row. */
  readonly exchanges: ExchangeObserver;
  /** For the recorder: written batches and dropped rows. */
  readonly recorder: RecorderObserver;
  /** Where the queue-depth gauge reads from (the recorder exists after the metrics). */
  watchQueueDepth(read: () => number): void;
  /** The Prometheus exposition of every metric, for the admin port's `/metrics`. */
  exposition(format: ExpositionFormat): Promise<Exposition>;
  /** Flushes and stops OTLP export (no-op without it). */
  close(): Promise<void>;
}

export type MetricsConfig = Pick<
  Config,
  | 'upstreamUrl'
  | 'metricsLabelLimit'
  | 'metricsAttributionLabels'
  | 'genAiProviderName'
  | 'otelExporterOtlpEndpoint'
  | 'otelExporterOtlpMetricsEndpoint'
  | 'otelExporterOtlpTracesEndpoint'
  | 'otelServiceName'
  | 'otelResourceAttributes'
  | 'otelMetricExportIntervalMs'
>;

export async function startServiceMetrics(config: MetricsConfig, logger: Logger): Promise<ServiceMetrics> {
  let queueDepth = (): number => 0;
  const readQueueDepth = (): number => queueDepth();
  const attributionLabels = config.metricsAttributionLabels.map(attributionLabel);
  const prometheus = new PrometheusSink(attributionLabels, readQueueDepth);
  const sinks: MetricsSink[] = [prometheus];

  const plan = otelPlan(config, packageVersion());
  // Loaded only when configured: without an OTLP endpoint no OpenTelemetry code runs at all.
  const otel =
    plan === null
      ? null
      : (await import('./otel/otel-sdk.js')).startOtelExport({
          plan,
          logger,
          providerName: config.genAiProviderName,
          upstream: upstreamEndpoint(config.upstreamUrl),
          attributionLabels,
          queueDepth: readQueueDepth,
        });
  if (otel?.sink) sinks.push(otel.sink);

  const sink = fanOut(sinks);
  const requests = new RequestObserver({ providerName: config.genAiProviderName, labelLimit: config.metricsLabelLimit, attributionLabels });
  return {
    exchanges: new ExchangeMetrics(sink, requests, otel?.spans ?? null, logger),
    recorder: { written: (rows, seconds) => sink.storeWrite(rows, seconds), dropped: (rows) => sink.droppedRecords(rows) },
    watchQueueDepth(read) {
      queueDepth = read;
    },
    exposition: (format) => renderExposition(prometheus.registry, format),
    close: async () => otel?.shutdown(),
  };
}

function upstreamEndpoint(upstreamUrl: string): { address: string; port: number } {
  const url = new URL(upstreamUrl);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { address: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}
