import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { AttributionLabel } from './attribution-labels.js';
import { METRICS, type MetricDefinition } from './metric-definitions.js';
import type { MetricsSink } from './metrics-sink.js';
import type { RequestObservation } from './request-observation.js';
import { SeriesCounter, SeriesHistogram } from './series.js';

/** Joins label values into a series key (no label value contains this character). */
const SEP = '\u0001';
const TOKEN_TYPES = ['input', 'output', 'cached_input', 'reasoning'] as const;

/**
 * The process-lifetime Prometheus metrics of this proxy, in their own prom-client registry (with
 * the default `process_*` and `nodejs_*` metrics). Lives on the main thread, where requests are.
 */
export class PrometheusSink implements MetricsSink {
  readonly registry = new Registry();
  private readonly operationDuration: SeriesHistogram;
  private readonly tokenUsage: SeriesHistogram;
  private readonly timeToFirstToken: SeriesHistogram;
  private readonly timePerOutputToken: SeriesHistogram;
  private readonly requests: SeriesCounter;
  private readonly upstreamErrors: SeriesCounter;
  private readonly addedLatency: SeriesHistogram;
  private readonly tokens: SeriesCounter;
  private readonly flushed: SeriesCounter;
  private readonly dropped: SeriesCounter;
  private readonly storeWriteDuration: SeriesHistogram;
  private inFlightNow = 0;

  constructor(
    private readonly attributionLabels: readonly AttributionLabel[],
    queueDepth: () => number,
  ) {
    const registry = this.registry;
    const histogram = (d: MetricDefinition): SeriesHistogram => new SeriesHistogram(d.prometheus, d.help, d.buckets ?? [], registry);
    const counter = (d: MetricDefinition): SeriesCounter => new SeriesCounter(d.prometheus, d.help, registry);
    const gauge = (d: MetricDefinition, read: () => number): void => {
      new Gauge({
        name: d.prometheus,
        help: d.help,
        registers: [registry],
        collect() {
          this.set(read()); // read at scrape time
        },
      });
    };
    this.operationDuration = histogram(METRICS.operationDuration);
    this.tokenUsage = histogram(METRICS.tokenUsage);
    this.timeToFirstToken = histogram(METRICS.timeToFirstToken);
    this.timePerOutputToken = histogram(METRICS.timePerOutputToken);
    this.requests = counter(METRICS.requests);
    gauge(METRICS.inFlight, () => this.inFlightNow);
    this.upstreamErrors = counter(METRICS.upstreamErrors);
    this.addedLatency = histogram(METRICS.addedLatency);
    this.tokens = counter(METRICS.tokens);
    gauge(METRICS.queueDepth, queueDepth);
    this.flushed = counter(METRICS.flushedRecords);
    this.dropped = counter(METRICS.droppedRecords);
    this.storeWriteDuration = histogram(METRICS.storeWriteDuration);
    // Series without labels exist from the start, at zero.
    for (const metric of [this.flushed, this.dropped, this.addedLatency, this.storeWriteDuration]) metric.ensure('', () => ({}));
    collectDefaultMetrics({ register: registry });
  }

  inFlight(delta: 1 | -1): void {
    this.inFlightNow += delta;
  }

  request(o: RequestObservation): void {
    const attributionKey = o.attribution.join(SEP);
    const attribution = (): Record<string, string> => Object.fromEntries(this.attributionLabels.map((label, i) => [label.name, o.attribution[i] as string]));
    this.requests.add(`${o.model}${SEP}${o.endpoint}${SEP}${o.statusCode}${SEP}${o.streamed}${SEP}${o.errorType}${SEP}${attributionKey}`, () => ({
      model: o.model,
      endpoint: o.endpoint,
      status_code: o.statusCode,
      streamed: o.streamed,
      error_type: o.errorType,
      ...attribution(),
    }));
    if (o.upstreamError) this.upstreamErrors.add(o.errorType, () => ({ error_type: o.errorType }));
    if (o.addedLatencySeconds !== null) this.addedLatency.observe('', () => ({}), o.addedLatencySeconds);
    const counts = [o.inputTokens, o.outputTokens, o.cachedInputTokens, o.reasoningTokens];
    TOKEN_TYPES.forEach((type, i) => {
      const count = counts[i];
      if (count !== null && count !== undefined && count > 0) {
        this.tokens.add(`${o.model}${SEP}${type}${SEP}${attributionKey}`, () => ({ model: o.model, token_type: type, ...attribution() }), count);
      }
    });

    const g = o.genAi;
    if (g === null) return;
    const key = `${g.operation}${SEP}${g.provider}${SEP}${g.requestModel}${SEP}${g.responseModel}`;
    const labels = (): Record<string, string> => ({
      gen_ai_operation_name: g.operation,
      gen_ai_provider_name: g.provider,
      gen_ai_request_model: g.requestModel,
      gen_ai_response_model: g.responseModel,
    });
    this.operationDuration.observe(`${key}${SEP}${g.errorType}`, () => ({ ...labels(), error_type: g.errorType }), o.durationSeconds);
    if (o.inputTokens !== null) this.tokenUsage.observe(`${key}${SEP}input`, () => ({ ...labels(), gen_ai_token_type: 'input' }), o.inputTokens);
    if (o.outputTokens !== null) this.tokenUsage.observe(`${key}${SEP}output`, () => ({ ...labels(), gen_ai_token_type: 'output' }), o.outputTokens);
    // TTFT and time per output token are only observed for successful requests: no error_type.
    if (o.ttftSeconds !== null) this.timeToFirstToken.observe(key, labels, o.ttftSeconds);
    if (o.timePerOutputTokenSeconds !== null) this.timePerOutputToken.observe(key, labels, o.timePerOutputTokenSeconds);
  }

  storeWrite(rows: number, seconds: number): void {
    this.flushed.add('', () => ({}), rows);
    this.storeWriteDuration.observe('', () => ({}), seconds);
  }

  droppedRecords(rows: number): void {
    this.dropped.add('', () => ({}), rows);
  }
}
