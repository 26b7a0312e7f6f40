/**
 * Without OTEL_EXPORTER_OTLP_ENDPOINT (or a signal-specific one) the proxy loads no OpenTelemetry
 * module and sends nothing: a receiver listening on loopback gets no request, and a module-resolve
 * hook sees no `@opentelemetry/*` module imported while the service runs.
 */
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { MIX_TOTAL, mixUpstream, sendMix } from '../helpers/metrics-traffic.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { startTestService } from '../helpers/service.js';

/** Reports every module URL resolved from now on that belongs to an @opentelemetry package. */
const HOOK = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.includes('/@opentelemetry/')) port.postMessage(result.url);
  return result;
}`;

describe('OpenTelemetry off when no OTLP endpoint is set', () => {
  const loaded: string[] = [];
  const channel = new MessageChannel();
  let upstream: FakeUpstream;
  let receiver: OtlpReceiver;

  before(async () => {
    channel.port1.on('message', (url: string) => loaded.push(url));
    register(`data:text/javascript,${encodeURIComponent(HOOK)}`, { data: { port: channel.port2 }, transferList: [channel.port2] });
    upstream = await startFakeUpstream(mixUpstream);
    receiver = await startOtlpReceiver();
  });

  after(async () => {
    channel.port1.close();
    await receiver.close();
    await upstream.close();
  });

  it('sends nothing and imports no OpenTelemetry module', async () => {
    // The receiver listens where a collector would be; nothing tells the proxy about it.
    const service = await startTestService({ upstreamUrl: upstream.url });
    await sendMix(service.proxyUrl, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    await service.rows(MIX_TOTAL);
    await service.dispose();
    await new Promise((resolve) => setTimeout(resolve, 100)); // hook messages are asynchronous
    assert.deepEqual(receiver.requests, []);
    assert.equal(loaded.length, 0, `OpenTelemetry modules imported: ${loaded.join(', ')}`);

    // The hook does see such imports (a control for the assertion above).
    await import('@opentelemetry/api');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(loaded.some((url) => url.includes('/@opentelemetry/api/')), 'the resolve hook reports OpenTelemetry imports');
  });
});
