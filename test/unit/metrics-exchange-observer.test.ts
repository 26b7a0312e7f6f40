import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { ExchangeMetrics } from '../../src/metrics/exchange-metrics.js';
import type { MetricsSink } from '../../src/metrics/metrics-sink.js';
import { RequestObserver, type RequestObservation } from '../../src/metrics/request-observation.js';
import type { RequestRecord } from '../../src/domain/request-record.js';
import { makeFailedRecord, makeRecord } from '../contract/records.js';

function recordingSink(): MetricsSink & { inFlightNow: number; requests: RequestObservation[] } {
  const sink = {
    inFlightNow: 0,
    requests: [] as RequestObservation[],
    inFlight(delta: 1 | -1) {
      sink.inFlightNow += delta;
    },
    request(o: RequestObservation) {
      sink.requests.push(o);
    },
    storeWrite() {},
    droppedRecords() {},
  };
  return sink;
}

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

function setup() {
  const sink = recordingSink();
  const metrics = new ExchangeMetrics(sink, new RequestObserver({ providerName: 'ollama', labelLimit: 100, attributionLabels: [] }), null, createLogger('silent'));
  return { sink, metrics };
}

/** Runs an exchange through the hooks: `before` ms to dispatch, `upstream` ms upstream, `after` ms to the client. */
function exchange(metrics: ExchangeMetrics, record: (durationMs: number) => RequestRecord, phases: { before: number; upstream: number; after: number; upstreamEnds?: boolean }) {
  const startedAt = performance.now();
  const observation = metrics.begin(startedAt, []);
  busy(phases.before);
  observation.dispatched();
  busy(phases.upstream);
  if (phases.upstreamEnds !== false) observation.upstreamEnded();
  busy(phases.after);
  observation.ended(record(performance.now() - startedAt));
}

describe('ExchangeMetrics', () => {
  it('counts a request in flight from begin to end', () => {
    const { sink, metrics } = setup();
    const a = metrics.begin(performance.now(), []);
    const b = metrics.begin(performance.now(), []);
    assert.equal(sink.inFlightNow, 2);
    a.ended(makeRecord());
    assert.equal(sink.inFlightNow, 1);
    b.ended(makeRecord());
    assert.equal(sink.inFlightNow, 0);
  });

  it("measures added latency as the time before dispatch plus the time after the upstream's end, not the upstream's time", () => {
    const { sink, metrics } = setup();
    exchange(metrics, (d) => makeRecord({ duration_ms: d }), { before: 15, upstream: 60, after: 10 });
    const added = sink.requests[0]?.addedLatencySeconds as number;
    assert.ok(added >= 0.025 && added < 0.05, `added ${added} s`);
    assert.ok((sink.requests[0]?.durationSeconds as number) >= 0.085);
  });

  it('has no added latency when the upstream was never asked or had not finished (client gone)', () => {
    const { sink, metrics } = setup();
    const notDispatched = metrics.begin(performance.now(), []);
    notDispatched.ended(makeFailedRecord({ error_type: 'client_aborted' }));
    exchange(metrics, (d) => makeFailedRecord({ error_type: 'client_aborted', duration_ms: d }), { before: 1, upstream: 5, after: 0, upstreamEnds: false });
    assert.deepEqual(sink.requests.map((r) => r.addedLatencySeconds), [null, null]);
  });

  it('derives GenAI attributes, upstream-error class, TTFT and time per output token from the row', () => {
    const { sink, metrics } = setup();
    const stream = makeRecord({ was_streamed: true, ttft_ms: 200, duration_ms: 1200, output_tokens: 11, response_model: 'llama-q4' });
    metrics.begin(0, []).ended(stream);
    metrics.begin(0, []).ended(makeFailedRecord({ was_streamed: true, ttft_ms: 50, error_type: 'stream_error', status_code: 200 }));
    metrics.begin(0, []).ended(makeFailedRecord({ error_type: 'client_aborted', status_code: null }));
    metrics.begin(0, []).ended(makeRecord({ method: 'GET', endpoint: '/v1/models', model: null }));
    const [ok, streamError, aborted, models] = sink.requests;
    assert.deepEqual(ok?.genAi, { operation: 'chat', provider: 'ollama', requestModel: 'model-a', responseModel: 'llama-q4', errorType: '' });
    assert.equal(ok?.ttftSeconds, 0.2);
    assert.equal(ok?.timePerOutputTokenSeconds, 0.1); // (1.2 s − 0.2 s) ÷ 10 tokens after the first
    assert.equal(streamError?.ttftSeconds, null, 'TTFT is for successful responses');
    assert.equal(streamError?.upstreamError, true);
    assert.equal(streamError?.genAi?.errorType, 'stream_error');
    assert.equal(aborted?.upstreamError, false);
    assert.equal(aborted?.statusCode, '');
    assert.equal(models?.genAi, null);
    assert.equal(models?.model, '');
  });
});
