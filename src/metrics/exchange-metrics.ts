import type { Logger } from '../logger.js';
import type { ExchangeObservation, ExchangeObserver } from '../proxy/exchange-observer.js';
import type { RequestRecord } from '../domain/request-record.js';
import type { MetricsSink } from './metrics-sink.js';
import type { RequestSpans } from './otel/request-spans.js';
import type { RequestObserver } from './request-observation.js';

/**
 * The proxy's exchange hooks: the in-flight gauge, the proxy's added latency, and at the end the
 * row's metrics (and its span when tracing is on). The per-request cost on the forwarding path is
 * two performance.now() calls; everything else runs after the client has its last byte.
 */
export class ExchangeMetrics implements ExchangeObserver {
  constructor(
    private readonly sink: MetricsSink,
    private readonly requests: RequestObserver,
    private readonly spans: RequestSpans | null,
    private readonly logger: Logger,
  ) {}

  begin(startedAt: number, rawHeaders: readonly string[]): ExchangeObservation {
    this.sink.inFlight(1);
    return new ExchangeTimes(this, startedAt, rawHeaders);
  }

  /** Called once per exchange by its ExchangeTimes. */
  end(times: ExchangeTimes, record: RequestRecord): void {
    this.sink.inFlight(-1);
    try {
      const endedAt = times.startedAt + record.duration_ms;
      this.sink.request(this.requests.observe(record, addedLatencySeconds(times, endedAt)));
      this.spans?.record(record, times.startedAt, endedAt, times.rawHeaders);
    } catch (err) {
      this.logger.warn({ err, endpoint: record.endpoint }, 'metrics could not observe a request');
    }
  }
}

class ExchangeTimes implements ExchangeObservation {
  /** performance.now() values; -1 until they happen. */
  dispatchedAt = -1;
  upstreamEndedAt = -1;

  constructor(
    private readonly owner: ExchangeMetrics,
    readonly startedAt: number,
    readonly rawHeaders: readonly string[],
  ) {}

  dispatched(): void {
    this.dispatchedAt = performance.now();
  }

  upstreamEnded(): void {
    if (this.upstreamEndedAt < 0) this.upstreamEndedAt = performance.now();
  }

  ended(record: RequestRecord): void {
    this.owner.end(this, record);
  }
}

/**
 * Time in the proxy outside waiting on the upstream: request arrival → dispatch (reading the
 * body, which the proxy buffers, and preparing the upstream request) plus the upstream's last byte
 * → the client's last byte. Null when the upstream was never asked or had not finished when the
 * exchange ended (the client left, or a shutdown cut it).
 */
function addedLatencySeconds(times: ExchangeTimes, endedAt: number): number | null {
  // endedAt comes from the row's duration, rounded to the microsecond: allow for that.
  if (times.dispatchedAt < 0 || times.upstreamEndedAt < 0 || times.upstreamEndedAt > endedAt + 0.001) return null;
  return Math.max(0, times.dispatchedAt - times.startedAt + (endedAt - times.upstreamEndedAt)) / 1000;
}
