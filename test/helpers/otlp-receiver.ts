/**
 * A stand-in OpenTelemetry collector on 127.0.0.1:0: accepts OTLP/HTTP JSON on /v1/traces and
 * /v1/metrics and decodes spans and metric data points into plain objects.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type AttributeValue = string | number | boolean | AttributeValue[];
export type Attributes = Record<string, AttributeValue>;

export interface ReceivedSpan {
  readonly resource: Attributes;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Attributes;
  readonly status: { readonly code?: number; readonly message?: string };
}

export interface ReceivedPoint {
  readonly attributes: Attributes;
  /** Sums and gauges. */
  readonly value?: number;
  /** Histograms. */
  readonly count?: number;
  readonly sum?: number;
  readonly explicitBounds?: number[];
}

export interface ReceivedMetric {
  readonly resource: Attributes;
  readonly name: string;
  readonly unit: string;
  readonly type: 'histogram' | 'sum' | 'gauge';
  readonly points: ReceivedPoint[];
}

export interface OtlpReceiver {
  readonly url: string;
  /** Every POST received, by path. */
  readonly requests: Array<{ path: string; contentType: string | undefined }>;
  readonly spans: ReceivedSpan[];
  /** Metrics of the latest export (OTLP sends cumulative values: the latest is the total). */
  readonly metrics: Map<string, ReceivedMetric>;
  close(): Promise<void>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}
type KeyValue = { key: string; value: AnyValue };

function value(v: AnyValue): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  return (v.arrayValue?.values ?? []).map(value);
}

const attributes = (list: KeyValue[] | undefined): Attributes => Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpReceiver['requests'] = [];
  const spans: ReceivedSpan[] = [];
  const metrics = new Map<string, ReceivedMetric>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8')) as Record<string, unknown>;
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'] });
      if (req.url === '/v1/traces') decodeSpans(body, spans);
      if (req.url === '/v1/metrics') decodeMetrics(body, metrics);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    spans,
    metrics,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function decodeSpans(body: Record<string, unknown>, out: ReceivedSpan[]): void {
  for (const rs of (body.resourceSpans ?? []) as Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          resource,
          traceId: s.traceId as string,
          spanId: s.spanId as string,
          parentSpanId: (s.parentSpanId as string | undefined) ?? '',
          name: s.name as string,
          kind: s.kind as number,
          startNs: BigInt(s.startTimeUnixNano as string),
          endNs: BigInt(s.endTimeUnixNano as string),
          attributes: attributes(s.attributes as KeyValue[]),
          status: (s.status as ReceivedSpan['status'] | undefined) ?? {},
        });
      }
    }
  }
}

type PointJson = { attributes?: KeyValue[]; asInt?: string | number; asDouble?: number; count?: string | number; sum?: number; explicitBounds?: number[] };

function decodeMetrics(body: Record<string, unknown>, out: Map<string, ReceivedMetric>): void {
  for (const rm of (body.resourceMetrics ?? []) as Array<{ resource?: { attributes?: KeyValue[] }; scopeMetrics?: Array<{ metrics?: Array<Record<string, unknown>> }> }>) {
    const resource = attributes(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const type = m.histogram !== undefined ? 'histogram' : m.sum !== undefined ? 'sum' : 'gauge';
        const points = ((m[type] as { dataPoints?: PointJson[] } | undefined)?.dataPoints ?? []).map(
          (p): ReceivedPoint =>
            type === 'histogram'
              ? { attributes: attributes(p.attributes), count: Number(p.count), sum: p.sum ?? 0, explicitBounds: p.explicitBounds ?? [] }
              : { attributes: attributes(p.attributes), value: p.asDouble ?? Number(p.asInt) },
        );
        out.set(m.name as string, { resource, name: m.name as string, unit: (m.unit as string | undefined) ?? '', type, points });
      }
    }
  }
}
