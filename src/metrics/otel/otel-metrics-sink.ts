import type { Attributes, Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import type { AttributionLabel } from '../attribution-labels.js';
import { METRICS, type MetricDefinition } from '../metric-definitions.js';
import type { MetricsSink } from '../metrics-sink.js';
import type { RequestObservation } from '../request-observation.js';

/**
 * The same metrics as the Prometheus registry, as OTel instruments (exported over OTLP). Label
 * values are the same capped ones; GenAI attributes use their dotted semantic-convention names,
 * and an absent value ('' in Prometheus) is left out.
 */
export class OtelMetricsSink implements MetricsSink {
  private readonly operationDuration: Histogram;
  private readonly tokenUsage: Histogram;
  private readonly timeToFirstToken: Histogram;
  private readonly timePerOutputToken: Histogram;
  private readonly requests: Counter;
  private readonly inFlightCounter: UpDownCounter;
  private readonly upstreamErrors: Counter;
  private readonly addedLatency: Histogram;
  private readonly tokens: Counter;
  private readonly flushed: Counter;
  private readonly dropped: Counter;
  private readonly storeWriteDuration: Histogram;

  constructor(
    meter: Meter,
    private readonly attributionLabels: readonly AttributionLabel[],
    queueDepth: () => number,
  ) {
    const options = (d: MetricDefinition) => ({ unit: d.unit, description: d.help });
    const histogram = (d: MetricDefinition): Histogram =>
      meter.createHistogram(d.otel, { ...options(d), advice: { explicitBucketBoundaries: [...(d.buckets ?? [])] } });
    const counter = (d: MetricDefinition): Counter => meter.createCounter(d.otel, options(d));
    this.operationDuration = histogram(METRICS.operationDuration);
    this.tokenUsage = histogram(METRICS.tokenUsage);
    this.timeToFirstToken = histogram(METRICS.timeToFirstToken);
    this.timePerOutputToken = histogram(METRICS.timePerOutputToken);
    this.requests = counter(METRICS.requests);
    this.inFlightCounter = meter.createUpDownCounter(METRICS.inFlight.otel, options(METRICS.inFlight));
    this.upstreamErrors = counter(METRICS.upstreamErrors);
    this.addedLatency = histogram(METRICS.addedLatency);
    this.tokens = counter(METRICS.tokens);
    meter.createObservableGauge(METRICS.queueDepth.otel, options(METRICS.queueDepth)).addCallback((result) => result.observe(queueDepth()));
    this.flushed = counter(METRICS.flushedRecords);
    this.dropped = counter(METRICS.droppedRecords);
    this.storeWriteDuration = histogram(METRICS.storeWriteDuration);
  }

  inFlight(delta: 1 | -1): void {
    this.inFlightCounter.add(delta);
  }

  request(o: RequestObservation): void {
    const attribution: Attributes = {};
    this.attributionLabels.forEach((label, i) => present(attribution, label.name, o.attribution[i] as string));
    const request: Attributes = { ...attribution, endpoint: o.endpoint, streamed: o.streamed };
    present(request, 'model', o.model);
    present(request, 'status_code', o.statusCode);
    present(request, 'error_type', o.errorType);
    this.requests.add(1, request);
    if (o.upstreamError) this.upstreamErrors.add(1, { error_type: o.errorType });
    if (o.addedLatencySeconds !== null) this.addedLatency.record(o.addedLatencySeconds);
    this.countTokens(o, attribution);
    const g = o.genAi;
    if (g === null) return;
    const ok: Attributes = { 'gen_ai.operation.name': g.operation, 'gen_ai.provider.name': g.provider };
    present(ok, 'gen_ai.request.model', g.requestModel);
    present(ok, 'gen_ai.response.model', g.responseModel);
    const withError: Attributes = { ...ok };
    present(withError, 'error.type', g.errorType);
    this.operationDuration.record(o.durationSeconds, withError);
    if (o.inputTokens !== null) this.tokenUsage.record(o.inputTokens, { ...ok, 'gen_ai.token.type': 'input' });
    if (o.outputTokens !== null) this.tokenUsage.record(o.outputTokens, { ...ok, 'gen_ai.token.type': 'output' });
    if (o.ttftSeconds !== null) this.timeToFirstToken.record(o.ttftSeconds, ok);
    if (o.timePerOutputTokenSeconds !== null) this.timePerOutputToken.record(o.timePerOutputTokenSeconds, ok);
  }

  storeWrite(rows: number, seconds: number): void {
    this.flushed.add(rows);
    this.storeWriteDuration.record(seconds);
  }

  droppedRecords(rows: number): void {
    this.dropped.add(rows);
  }

  private countTokens(o: RequestObservation, attribution: Attributes): void {
    const base: Attributes = { ...attribution };
    present(base, 'model', o.model);
    const counts: Array<[string, number | null]> = [
      ['input', o.inputTokens],
      ['output', o.outputTokens],
      ['cached_input', o.cachedInputTokens],
      ['reasoning', o.reasoningTokens],
    ];
    for (const [type, count] of counts) {
      if (count !== null && count > 0) this.tokens.add(count, { ...base, token_type: type });
    }
  }
}

function present(attributes: Attributes, key: string, value: string): void {
  if (value !== '') attributes[key] = value;
}
