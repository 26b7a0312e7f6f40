/**
 * Every metric the proxy exports, once: the Prometheus name (as scraped from the admin port) and
 * the OpenTelemetry name and unit (as sent over OTLP). The OTel names translate to the Prometheus
 * names by the standard rules (dots → `_`, unit `s` → `_seconds`, counters → `_total`), so the
 * same PromQL works whichever way the numbers arrive. GenAI metrics and buckets follow the
 * OpenTelemetry GenAI semantic conventions (gen-ai-metrics.md).
 */

export type MetricKind = 'counter' | 'updown' | 'gauge' | 'histogram';

export interface MetricDefinition {
  readonly kind: MetricKind;
  readonly prometheus: string;
  readonly otel: string;
  /** UCUM unit for OTel (`s`, `{token}`); Prometheus carries it in the name. */
  readonly unit: string;
  readonly help: string;
  readonly buckets?: readonly number[];
}

/** Seconds, doubling from 10 ms to 82 s: the conventions' advice for operation durations. */
const OPERATION_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** Powers of 4 from 1 to 67M tokens: the conventions' advice for token usage. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/**
 * The conventions' TTFT advice stops at 10 s; a local model loading or working through a long
 * prompt on a CPU easily takes longer, so the buckets go on to 60 s.
 */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 15, 20, 30, 45, 60];
const TIME_PER_OUTPUT_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
/** The proxy's own time is micro- to milliseconds. */
const ADDED_LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const STORE_WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const METRICS = {
  operationDuration: {
    kind: 'histogram',
    prometheus: 'gen_ai_client_operation_duration_seconds',
    otel: 'gen_ai.client.operation.duration',
    unit: 's',
    help: 'GenAI operation duration: request received to last byte sent to the client.',
    buckets: OPERATION_DURATION_BUCKETS,
  },
  tokenUsage: {
    kind: 'histogram',
    prometheus: 'gen_ai_client_token_usage',
    otel: 'gen_ai.client.token.usage',
    unit: '{token}',
    help: 'Number of input and output tokens used, per request, as the backend reported them.',
    buckets: TOKEN_BUCKETS,
  },
  timeToFirstToken: {
    kind: 'histogram',
    prometheus: 'gen_ai_server_time_to_first_token_seconds',
    otel: 'gen_ai.server.time_to_first_token',
    unit: 's',
    help: 'Time to the first generated content of successful streams.',
    buckets: TTFT_BUCKETS,
  },
  timePerOutputToken: {
    kind: 'histogram',
    prometheus: 'gen_ai_server_time_per_output_token_seconds',
    otel: 'gen_ai.server.time_per_output_token',
    unit: 's',
    help: 'Time per output token after the first, of successful streams.',
    buckets: TIME_PER_OUTPUT_TOKEN_BUCKETS,
  },
  requests: {
    kind: 'counter',
    prometheus: 'llm_proxy_requests_total',
    otel: 'llm_proxy.requests',
    unit: '{request}',
    help: 'Requests forwarded by the proxy.',
  },
  inFlight: {
    kind: 'updown',
    prometheus: 'llm_proxy_requests_in_flight',
    otel: 'llm_proxy.requests.in_flight',
    unit: '{request}',
    help: 'Requests being forwarded right now.',
  },
  upstreamErrors: {
    kind: 'counter',
    prometheus: 'llm_proxy_upstream_errors_total',
    otel: 'llm_proxy.upstream.errors',
    unit: '{error}',
    help: 'Requests that failed because of the upstream, by error_type.',
  },
  addedLatency: {
    kind: 'histogram',
    prometheus: 'llm_proxy_added_latency_seconds',
    otel: 'llm_proxy.added_latency',
    unit: 's',
    help: "Time spent in the proxy outside waiting on the upstream: arrival to dispatch, and the upstream's last byte to the client's.",
    buckets: ADDED_LATENCY_BUCKETS,
  },
  tokens: {
    kind: 'counter',
    prometheus: 'llm_proxy_tokens_total',
    otel: 'llm_proxy.tokens',
    unit: '{token}',
    help: 'Tokens reported by the backend, by token_type (input, output, cached_input, reasoning).',
  },
  queueDepth: {
    kind: 'gauge',
    prometheus: 'llm_proxy_recorder_queue_depth',
    otel: 'llm_proxy.recorder.queue_depth',
    unit: '{record}',
    help: 'Rows waiting in the recorder for the next write to the store.',
  },
  flushedRecords: {
    kind: 'counter',
    prometheus: 'llm_proxy_recorder_flushed_records_total',
    otel: 'llm_proxy.recorder.flushed_records',
    unit: '{record}',
    help: 'Rows written to the store.',
  },
  droppedRecords: {
    kind: 'counter',
    prometheus: 'llm_proxy_recorder_dropped_records_total',
    otel: 'llm_proxy.recorder.dropped_records',
    unit: '{record}',
    help: 'Rows dropped: the queue overflowed while the store was failing, or the store rejected a row as invalid.',
  },
  storeWriteDuration: {
    kind: 'histogram',
    prometheus: 'llm_proxy_store_write_duration_seconds',
    otel: 'llm_proxy.store.write.duration',
    unit: 's',
    help: 'Time to write one batch of rows to the store (successful writes).',
    buckets: STORE_WRITE_BUCKETS,
  },
} as const satisfies Record<string, MetricDefinition>;
