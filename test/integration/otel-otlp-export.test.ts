/**
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the proxy exports one CLIENT span per request and the same
 * metrics as on /metrics over OTLP/HTTP (JSON) to a test receiver on loopback: GenAI attributes,
 * the service name and resource attributes, and an incoming traceparent continued (and forwarded
 * to the upstream unchanged).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { packageVersion } from '../../src/api/admin-info.js';
import { METRICS } from '../../src/metrics/metric-definitions.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { MIX, MIX_GEN_AI, MIX_TOTAL, mixUpstream, sendMix } from '../helpers/metrics-traffic.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { headerValues } from '../helpers/raw-http.js';
import { startTestService } from '../helpers/service.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;

describe('OpenTelemetry export over OTLP/HTTP', () => {
  let upstream: FakeUpstream;
  let receiver: OtlpReceiver;

  before(async () => {
    upstream = await startFakeUpstream(mixUpstream);
    receiver = await startOtlpReceiver();
    const service = await startTestService({
      upstreamUrl: upstream.url,
      otelExporterOtlpEndpoint: receiver.url,
      otelServiceName: 'proxy-under-test',
      otelResourceAttributes: { 'deployment.environment.name': 'test', 'service.name': 'overridden-by-OTEL_SERVICE_NAME' },
    });
    await sendMix(service.proxyUrl, { traceparent: TRACEPARENT });
    await service.rows(MIX_TOTAL);
    await service.dispose(); // a graceful stop exports the pending spans and the final metrics
  });

  after(async () => {
    await receiver.close();
    await upstream.close();
  });

  it('posts JSON to /v1/traces and /v1/metrics under the configured base URL', () => {
    const paths = new Set(receiver.requests.map((r) => r.path));
    assert.deepEqual([...paths].sort(), ['/v1/metrics', '/v1/traces']);
    assert.ok(receiver.requests.every((r) => r.contentType?.startsWith('application/json')));
  });

  it('exports one CLIENT span per request, named {operation} {model}, with the GenAI attributes', () => {
    const { spans } = receiver;
    assert.equal(spans.length, MIX_TOTAL);
    assert.ok(spans.every((s) => s.kind === SPAN_KIND_CLIENT));
    const byName = (name: string): ReceivedSpan[] => spans.filter((s) => s.name === name);
    assert.equal(byName('chat chat-a').length, MIX.chats + MIX.failures);
    assert.equal(byName('chat chat-b').length, MIX.streams);
    assert.equal(byName('embeddings embed-1').length, MIX.embeddings);
    assert.equal(byName('GET').length, MIX.modelLists);

    const ok = byName('chat chat-a').find((s) => s.attributes['error.type'] === undefined);
    assert.deepEqual(ok?.attributes, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'chat-a',
      'gen_ai.response.model': 'chat-a-q4',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
      'server.address': '127.0.0.1',
      'server.port': upstream.port,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.path': '/v1/chat/completions',
    });
    assert.ok((ok?.endNs ?? 0n) > (ok?.startNs ?? 0n));

    const failed = byName('chat chat-a').find((s) => s.attributes['error.type'] !== undefined);
    assert.equal(failed?.attributes['error.type'], 'upstream_status');
    assert.equal(failed?.attributes['http.response.status_code'], 500);
    assert.equal(failed?.status.code, STATUS_ERROR);

    const stream = byName('chat chat-b')[0];
    assert.equal(stream?.attributes['gen_ai.usage.output_tokens'], 9);
  });

  it("continues the caller's trace: each span is a child of the incoming traceparent", () => {
    for (const span of receiver.spans) {
      assert.equal(span.traceId, TRACE_ID);
      assert.equal(span.parentSpanId, PARENT_SPAN_ID);
    }
    assert.equal(new Set(receiver.spans.map((s) => s.spanId)).size, MIX_TOTAL);
  });

  it('forwards the traceparent header to the upstream unchanged', () => {
    assert.equal(upstream.received.length, MIX_TOTAL);
    for (const request of upstream.received) assert.deepEqual(headerValues(request.rawHeaders, 'traceparent'), [TRACEPARENT]);
  });

  it('names the service from OTEL_SERVICE_NAME and carries OTEL_RESOURCE_ATTRIBUTES', () => {
    for (const resource of [...receiver.spans.map((s) => s.resource), ...[...receiver.metrics.values()].map((m) => m.resource)]) {
      assert.equal(resource['service.name'], 'proxy-under-test');
      assert.equal(resource['deployment.environment.name'], 'test');
      assert.equal(resource['service.version'], packageVersion());
    }
  });

  it('exports the same metrics with the semantic-convention names, units, buckets and attributes', () => {
    const duration = receiver.metrics.get('gen_ai.client.operation.duration');
    assert.equal(duration?.type, 'histogram');
    assert.equal(duration?.unit, 's');
    assert.equal(duration?.points.reduce((n, p) => n + (p.count ?? 0), 0), MIX_GEN_AI);
    assert.deepEqual(duration?.points[0]?.explicitBounds, METRICS.operationDuration.buckets);
    const chatA = duration?.points.find((p) => p.attributes['gen_ai.request.model'] === 'chat-a' && p.attributes['error.type'] === undefined);
    assert.deepEqual(chatA?.attributes, {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'chat-a',
      'gen_ai.response.model': 'chat-a-q4',
    });
    assert.equal(chatA?.count, MIX.chats);
    const failed = duration?.points.find((p) => p.attributes['error.type'] === 'upstream_status');
    assert.equal(failed?.count, MIX.failures);

    const usage = receiver.metrics.get('gen_ai.client.token.usage');
    assert.equal(usage?.unit, '{token}');
    const output = usage?.points.find((p) => p.attributes['gen_ai.request.model'] === 'chat-b' && p.attributes['gen_ai.token.type'] === 'output');
    assert.equal(output?.sum, 9 * MIX.streams);

    const requests = receiver.metrics.get('llm_proxy.requests');
    assert.equal(requests?.type, 'sum');
    assert.equal(requests?.points.reduce((n, p) => n + (p.value ?? 0), 0), MIX_TOTAL);
    for (const name of ['gen_ai.server.time_to_first_token', 'gen_ai.server.time_per_output_token', 'llm_proxy.requests.in_flight', 'llm_proxy.added_latency', 'llm_proxy.tokens', 'llm_proxy.recorder.flushed_records', 'llm_proxy.store.write.duration', 'llm_proxy.upstream.errors', 'llm_proxy.recorder.queue_depth']) {
      assert.ok(receiver.metrics.has(name), `${name} exported`);
    }
  });
});
