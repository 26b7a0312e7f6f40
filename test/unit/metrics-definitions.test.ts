import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { genAiOperation } from '../../src/metrics/gen-ai-operation.js';
import { METRICS, type MetricDefinition } from '../../src/metrics/metric-definitions.js';

/**
 * The OTLP → Prometheus translation (OpenTelemetry's Prometheus compatibility specification):
 * `.` → `_`, the unit as a suffix (`s` → `seconds`, annotations in braces dropped), `_total` for
 * monotonic counters.
 */
function prometheusName(d: MetricDefinition): string {
  const unit = d.unit === 's' ? '_seconds' : '';
  return `${d.otel.replaceAll('.', '_')}${unit}${d.kind === 'counter' ? '_total' : ''}`;
}

describe('metric definitions', () => {
  it('name every metric so its OTLP name translates to its Prometheus name', () => {
    for (const d of Object.values(METRICS) as MetricDefinition[]) assert.equal(prometheusName(d), d.prometheus, d.otel);
  });

  it('use the GenAI semantic conventions names and bucket advice, with TTFT extended to 60 s', () => {
    assert.equal(METRICS.operationDuration.prometheus, 'gen_ai_client_operation_duration_seconds');
    assert.deepEqual(METRICS.operationDuration.buckets, [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
    assert.equal(METRICS.tokenUsage.prometheus, 'gen_ai_client_token_usage');
    assert.deepEqual(METRICS.tokenUsage.buckets, [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    assert.deepEqual(METRICS.timePerOutputToken.buckets, [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]);
    const ttft = METRICS.timeToFirstToken.buckets;
    assert.deepEqual(ttft.slice(0, 16), [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
    assert.equal(ttft.at(-1), 60);
    for (const d of Object.values(METRICS) as MetricDefinition[]) {
      const buckets = d.buckets ?? [];
      assert.ok(buckets.every((b, i) => i === 0 || b > (buckets[i - 1] as number)), `${d.prometheus} buckets increase`);
    }
  });
});

describe('genAiOperation', () => {
  it('maps endpoints to the conventions operation names, and others to null', () => {
    assert.equal(genAiOperation('/v1/chat/completions'), 'chat');
    assert.equal(genAiOperation('/v1/responses'), 'chat');
    assert.equal(genAiOperation('/v1/completions'), 'text_completion');
    assert.equal(genAiOperation('/v1/embeddings'), 'embeddings');
    assert.equal(genAiOperation('/api/chat'), 'chat');
    assert.equal(genAiOperation('/api/generate'), 'text_completion');
    assert.equal(genAiOperation('/v1/models'), null);
    assert.equal(genAiOperation('/v1/files/file-abc'), null);
  });
});
