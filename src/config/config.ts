import type { LogLevel } from '../logger.js';

/** The validated, frozen configuration. Built once at start-up by `loadConfig`. */
export type StreamUsageMode = 'off' | 'inject' | 'estimate';

export interface Config {
  /** Public proxy listener (PORT / PROXY_PORT / --port). 0 picks a free port. */
  readonly proxyPort: number;
  readonly proxyHost: string;
  /** Internal admin listener (ADMIN_PORT / METRICS_PORT / --admin-port). */
  readonly adminPort: number;
  readonly adminHost: string;
  /** Upstream base URL without a trailing slash, e.g. `http://127.0.0.1:11434` or `https://gw.example/openai`. */
  readonly upstreamUrl: string;
  /** Time allowed for the upstream's response headers, and between body bytes, in ms. */
  readonly upstreamTimeoutMs: number;
  /** SQLite database file (DB_PATH, or DATABASE_URL=sqlite:…). */
  readonly dbPath: string;
  readonly logLevel: LogLevel;
  /** Grace period for in-flight requests on SIGTERM/SIGINT, in ms. */
  readonly shutdownTimeoutMs: number;
  /** How often the recorder flushes queued rows to the store, in ms. */
  readonly flushIntervalMs: number;
  /** Request rows older than this many days are deleted (0: kept forever). */
  readonly retentionDays: number;
  /** Daily usage rollups older than this many days are deleted (0: kept forever). */
  readonly usageRetentionDays: number;
  /** Price table file (JSON or YAML) for cost_usd; null: no costs. */
  readonly pricesFile: string | null;
  /** HMAC secret for api_key_id fingerprints; null: generated once beside the database. */
  readonly apiKeySecret: string | null;
  /** Request header naming the user (lower-case); the body's `user` field is the fallback. */
  readonly userHeader: string;
  /** Request header prefix for tags (lower-case): `x-metrics-tag-team: red` → tag team=red. */
  readonly tagHeaderPrefix: string;
  /** Path prefixes forwarded to the upstream, e.g. `/v1/` and `/api/` (Ollama's native API). */
  readonly proxyPathPrefixes: readonly string[];
  /** Usage for streams that do not carry it: off, inject (opt-in request change) or estimate. */
  readonly streamUsage: StreamUsageMode;
  /** Distinct values per metrics label before the rest are reported as `other`. */
  readonly metricsLabelLimit: number;
  /** Attribution labels on the request and token counters: `api_key_id`, `user`, `tag:<name>`. */
  readonly metricsAttributionLabels: readonly string[];
  /** `gen_ai.provider.name` on metrics and spans. */
  readonly genAiProviderName: string;
  /** OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); null with both signal URLs null: no OpenTelemetry. */
  readonly otelExporterOtlpEndpoint: string | null;
  readonly otelExporterOtlpMetricsEndpoint: string | null;
  readonly otelExporterOtlpTracesEndpoint: string | null;
  readonly otelServiceName: string | null;
  /** Parsed OTEL_RESOURCE_ATTRIBUTES. */
  readonly otelResourceAttributes: Readonly<Record<string, string>>;
  readonly otelMetricExportIntervalMs: number;
}
