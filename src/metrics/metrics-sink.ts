import type { RequestObservation } from './request-observation.js';

/**
 * Where observations go: the Prometheus registry always, the OTel meter too when OTLP export is
 * configured. Every call is cheap and synchronous and must not throw.
 */
export interface MetricsSink {
  inFlight(delta: 1 | -1): void;
  request(observation: RequestObservation): void;
  /** The recorder wrote `rows` rows in one batch that took `seconds`. */
  storeWrite(rows: number, seconds: number): void;
  droppedRecords(rows: number): void;
}

export function fanOut(sinks: readonly MetricsSink[]): MetricsSink {
  if (sinks.length === 1) return sinks[0] as MetricsSink;
  return {
    inFlight: (delta) => sinks.forEach((s) => s.inFlight(delta)),
    request: (observation) => sinks.forEach((s) => s.request(observation)),
    storeWrite: (rows, seconds) => sinks.forEach((s) => s.storeWrite(rows, seconds)),
    droppedRecords: (rows) => sinks.forEach((s) => s.droppedRecords(rows)),
  };
}
