import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AttributionLabel } from './attribution-labels.js';
import { GEN_AI_LABELS, METRICS, prometheusLabel, REQUEST_LABELS, TOKEN_TYPE_LABEL, type MetricDefinition } from './metric-definitions.js';
import type { MetricsSink } from './metrics-sink.js';
import type { RequestObservation } from './request-observation.js';

const GEN_AI = GEN_AI_LABELS.map(prometheusLabel);
const GEN_AI_TOKEN = [...GEN_AI.filter((l) => l !== 'error_type'), prometheusLabel(TOKEN_TYPE_LABEL)];
/** TTFT and time per output token are only observed for successful requests: no error_type. */
const GEN_AI_OK = GEN_AI.filter((l) => l !== 'error_type');

type Labels = Record<string, string>;

/**
 * The process-lifetime Prometheus metrics of this proxy, in their own prom-client registry (with
 * the default `process_*` and `nodejs_*` metrics). Lives on the main thread, where requests are.
 */
export class PrometheusSink implements MetricsSink {
  readonly registry = new Registry();
  private readonly operationDuration: Histogram;
  private readonly tokenUsage: Histogram;
  private readonly timeToFirstToken: Histogram;
  private readonly timePerOutputToken: Histogram;
  private readonly requests: Counter;
  private readonly inFlightGauge: Gauge;
  private readonly upstreamErrors: Counter;
  private readonly addedLatency: Histogram;
  private readonly tokens: Counter;
  private readonly flushed: Counter;
  private readonly dropped: Counter;
  private readonly storeWriteDuration: Histogram;

  constructor(
    private readonly attributionLabels: readonly AttributionLabel[],
    queueDepth: () => number,
  ) {
    const registers = [this.registry];
    const attribution = attributionLabels.map((l) => l.name);
    const histogram = (d: MetricDefinition, labelNames: readonly string[]): Histogram =>
      new Histogram({ name: d.prometheus, help: d.help, labelNames, buckets: [...(d.buckets ?? [])], registers });
    const counter = (d: MetricDefinition, labelNames: readonly string[]): Counter => new Counter({ name: d.prometheus, help: d.help, labelNames, registers });

    this.operationDuration = histogram(METRICS.operationDuration, GEN_AI);
    this.tokenUsage = histogram(METRICS.tokenUsage, GEN_AI_TOKEN);
    this.timeToFirstToken = histogram(METRICS.timeToFirstToken, GEN_AI_OK);
    this.timePerOutputToken = histogram(METRICS.timePerOutputToken, GEN_AI_OK);
    this.requests = counter(METRICS.requests, [...REQUEST_LABELS, ...attribution]);
    this.inFlightGauge = new Gauge({ name: METRICS.inFlight.prometheus, help: METRICS.inFlight.help, registers });
    this.upstreamErrors = counter(METRICS.upstreamErrors, ['error_type']);
    this.addedLatency = histogram(METRICS.addedLatency, []);
    this.tokens = counter(METRICS.tokens, ['model', 'token_type', ...attribution]);
    new Gauge({
      name: METRICS.queueDepth.prometheus,
      help: METRICS.queueDepth.help,
      registers,
      collect() {
        this.set(queueDepth()); // read at scrape time
      },
    });
    this.flushed = counter(METRICS.flushedRecords, []);
    this.dropped = counter(METRICS.droppedRecords, []);
    this.storeWriteDuration = histogram(METRICS.storeWriteDuration, []);
    collectDefaultMetrics({ register: this.registry });
  }

  inFlight(delta: 1 | -1): void {
    this.inFlightGauge.inc(delta);
  }

  request(o: RequestObservation): void {
    const attribution: Labels = {};
    this.attributionLabels.forEach((label, i) => (attribution[label.name] = o.attribution[i] as string));
    this.requests.inc({ model: o.model, endpoint: o.endpoint, status_code: o.statusCode, streamed: o.streamed, error_type: o.errorType, ...attribution });
    if (o.upstreamError) this.upstreamErrors.inc({ error_type: o.errorType });
    if (o.addedLatencySeconds !== null) this.addedLatency.observe(o.addedLatencySeconds);
    this.countTokens(o, attribution);
    const g = o.genAi;
    if (g === null) return;
    const ok = { gen_ai_operation_name: g.operation, gen_ai_provider_name: g.provider, gen_ai_request_model: g.requestModel, gen_ai_response_model: g.responseModel };
    this.operationDuration.observe({ ...ok, error_type: g.errorType }, o.durationSeconds);
    if (o.inputTokens !== null) this.tokenUsage.observe({ ...ok, gen_ai_token_type: 'input' }, o.inputTokens);
    if (o.outputTokens !== null) this.tokenUsage.observe({ ...ok, gen_ai_token_type: 'output' }, o.outputTokens);
    if (o.ttftSeconds !== null) this.timeToFirstToken.observe(ok, o.ttftSeconds);
    if (o.timePerOutputTokenSeconds !== null) this.timePerOutputToken.observe(ok, o.timePerOutputTokenSeconds);
  }

  storeWrite(rows: number, seconds: number): void {
    this.flushed.inc(rows);
    this.storeWriteDuration.observe(seconds);
  }

  droppedRecords(rows: number): void {
    this.dropped.inc(rows);
  }

  private countTokens(o: RequestObservation, attribution: Labels): void {
    const counts: Array<[string, number | null]> = [
      ['input', o.inputTokens],
      ['output', o.outputTokens],
      ['cached_input', o.cachedInputTokens],
      ['reasoning', o.reasoningTokens],
    ];
    for (const [type, count] of counts) {
      if (count !== null && count > 0) this.tokens.inc({ model: o.model, token_type: type, ...attribution }, count);
    }
  }
}
