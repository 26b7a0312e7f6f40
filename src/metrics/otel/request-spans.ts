import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { RequestRecord } from '../../domain/request-record.js';
import { genAiOperation } from '../gen-ai-operation.js';

/** The upstream as `server.address` / `server.port` see it. */
export interface UpstreamEndpoint {
  readonly address: string;
  readonly port: number;
}

/** Reads `traceparent` / `tracestate` from the client's raw header list (names in any case). */
const RAW_HEADER_GETTER: TextMapGetter<readonly string[]> = {
  keys: (raw) => raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()),
  get(raw, key) {
    for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).toLowerCase() === key) return raw[i + 1];
    return undefined;
  },
};

/**
 * One CLIENT span per proxied request, named `{gen_ai.operation.name} {gen_ai.request.model}`,
 * with the GenAI attributes. Built when the request has ended (its model and usage are only known
 * then) with the recorded start and end times. An incoming W3C `traceparent` makes it a child of
 * the caller's span; the header itself goes to the upstream unchanged (the proxy does not modify
 * requests), so the upstream's own span, if any, is a sibling of this one.
 */
export class RequestSpans {
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(
    private readonly tracer: Tracer,
    private readonly providerName: string,
    private readonly upstream: UpstreamEndpoint,
  ) {}

  record(record: RequestRecord, startedAt: number, endedAt: number, rawHeaders: readonly string[]): void {
    const parent = this.propagator.extract(ROOT_CONTEXT, rawHeaders, RAW_HEADER_GETTER);
    const operation = genAiOperation(record.endpoint);
    const attributes: Attributes = {
      'server.address': this.upstream.address,
      'server.port': this.upstream.port,
      'http.request.method': record.method,
      'url.path': record.endpoint,
    };
    if (record.status_code !== null) attributes['http.response.status_code'] = record.status_code;
    if (operation !== null) {
      attributes['gen_ai.operation.name'] = operation;
      attributes['gen_ai.provider.name'] = this.providerName;
    }
    if (record.model !== null) attributes['gen_ai.request.model'] = record.model;
    if (record.response_model !== null) attributes['gen_ai.response.model'] = record.response_model;
    if (record.input_tokens !== null) attributes['gen_ai.usage.input_tokens'] = record.input_tokens;
    if (record.output_tokens !== null) attributes['gen_ai.usage.output_tokens'] = record.output_tokens;
    if (record.finish_reason !== null) attributes['gen_ai.response.finish_reasons'] = [record.finish_reason];
    if (record.error_type !== null) attributes['error.type'] = record.error_type;

    // Endpoints that are no GenAI operation are named like HTTP client spans: by method.
    const name = operation === null ? record.method : record.model === null ? operation : `${operation} ${record.model}`;
    // performance.now() values: the SDK adds the time origin.
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: startedAt, attributes }, parent);
    if (record.is_error) span.setStatus({ code: SpanStatusCode.ERROR, message: record.error_message ?? record.error_type ?? '' });
    span.end(endedAt);
  }
}
