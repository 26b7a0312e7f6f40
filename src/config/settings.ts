import { z } from 'zod';
import type { Config } from './config.js';
import { attributionLabelsSchema, otlpEndpointSchema, providerNameSchema, resourceAttributesSchema } from './metrics-schemas.js';

/**
 * The one declarative table of settings. `loadConfig` walks it to resolve every `Config` field
 * (CLI flag > environment > `.env`; within one source, the primary name > its aliases in order),
 * and `helpText` renders it for `--help`.
 */

/** What an alias contributes: the value in the primary's raw form, or why it cannot be used. */
export type Adapted =
  | { readonly ok: true; readonly raw: string }
  | { readonly ok: false; readonly message: string; readonly name?: string; readonly got?: string };

export interface Alias {
  /** Environment variable(s) read. More than one only for a composite alias (BACKEND_HOST+BACKEND_PORT). */
  readonly env?: readonly string[];
  /** CLI flag without the leading `--`. */
  readonly flag?: string;
  /** Turns the alias's value(s) (same order as `env`; one value for a flag) into the primary's raw form. */
  readonly adapt?: (values: readonly (string | undefined)[]) => Adapted;
}

export interface Setting<T> {
  readonly env: string;
  /** CLI flag without the leading `--`. */
  readonly flag: string;
  readonly aliases: readonly Alias[];
  /** Raw default, parsed by `schema` like any user value. */
  readonly default: string;
  readonly description: string;
  /** Parses a raw string; the first issue's message is shown to the user, followed by `, got "…"`. */
  readonly schema: z.ZodType<T, string>;
}

export type Settings = { readonly [K in keyof Config]: Setting<Config[K]> };

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Node's timers overflow above 2^31-1 ms and then fire immediately, so larger values are refused. */
const MAX_TIMER_MS = 2_147_483_647;

function intIn(min: number, max: number): z.ZodType<number, string> {
  const error = `must be an integer from ${min} to ${max}`;
  return z
    .string()
    .regex(/^[0-9]+$/, { error })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error });
}

const STREAM_USAGE_MODES = ['off', 'inject', 'estimate'] as const;

/** `/v1/,/api/` → ['/v1/', '/api/']: each must start and end with `/`. */
const pathPrefixesSchema = z.string().transform((raw, ctx): readonly string[] => {
  const prefixes = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  // Segments of unreserved characters, never `.` or `..` (which would step out of the prefix).
  const bad = prefixes.find((p) => !/^\/(?:(?!\.\.?\/)[A-Za-z0-9._~-]+\/)+$/.test(p));
  if (prefixes.length === 0 || bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be comma-separated path prefixes like /v1/ (each starting and ending with /)' });
    return z.NEVER;
  }
  return prefixes;
});

const hostSchema = z
  .string()
  .min(1, { error: 'must not be empty' })
  .regex(/^\S+$/, { error: 'must not contain whitespace' });

const logLevelSchema = z
  .string()
  .transform((s) => {
    const level = s.toLowerCase();
    return level === 'off' ? 'silent' : level;
  })
  .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')} (or off)` }));

const upstreamSchema = z.string().transform((raw, ctx): string => {
  const fail = (message: string): never => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail('must be an absolute http:// or https:// URL');
  }
  if (url.hostname === '') return fail('must include a host');
  if (/[?#]/.test(raw)) return fail('must not contain a query string or fragment');
  return url.href.replace(/\/+$/, '');
});

const dbPathSchema = z.string().min(1, { error: 'must not be empty' });

/** Optional settings default to '' (unset) and come out as null. */
const optionalText = z.string().transform((s) => (s === '' ? null : s));

const headerNameSchema = z
  .string()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'must be an HTTP header name (RFC 9110 token)' })
  .transform((s) => s.toLowerCase());

/** `sqlite:./p`, `sqlite://./p`, `sqlite:///abs/p`, `sqlite:p` → the file path. */
export function sqlitePathFromUrl(url: string): Adapted {
  const m = /^sqlite:(.*)$/is.exec(url);
  if (!m) {
    return {
      ok: false,
      message: 'only sqlite: URLs are supported in this version (e.g. sqlite:./data/metrics.db)',
    };
  }
  const rest = m[1] ?? '';
  if (/[?#]/.test(rest)) return { ok: false, message: 'query parameters are not supported in a sqlite: URL' };
  const path = rest.startsWith('//') ? rest.slice(2) : rest;
  if (path === '') return { ok: false, message: 'sqlite: URL must include a file path' };
  return { ok: true, raw: path };
}

const DEFAULT_BACKEND_HOST = '127.0.0.1';
const DEFAULT_BACKEND_PORT = '11434';

/** openai-llm-metrics-proxy style: `http://${BACKEND_HOST}:${BACKEND_PORT}`, either part defaulted. */
export function upstreamFromBackend(values: readonly (string | undefined)[]): Adapted {
  const host = values[0] ?? DEFAULT_BACKEND_HOST;
  const port = values[1] ?? DEFAULT_BACKEND_PORT;
  if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return { ok: false, name: 'BACKEND_PORT', message: 'must be an integer from 1 to 65535', got: port };
  }
  const ipv6 = /^[0-9a-f:.]+$/i.test(host) && host.includes(':');
  if (!ipv6 && !/^(\[[0-9a-f:.]+\]|[^\s/?#@:[\]]+)$/i.test(host)) {
    return {
      ok: false,
      name: 'BACKEND_HOST',
      message: 'must be a bare host name or IP address (no scheme, port or path)',
      got: host,
    };
  }
  return { ok: true, raw: `http://${ipv6 ? `[${host}]` : host}:${port}` };
}

function rustLogPlainLevel(values: readonly (string | undefined)[]): Adapted {
  const value = values[0] ?? '';
  if (/[=,]/.test(value)) {
    return {
      ok: false,
      message: `only plain levels are accepted (${LOG_LEVELS.join(', ')}, off), not per-target directives`,
    };
  }
  return { ok: true, raw: value };
}

export const SETTINGS: Settings = {
  proxyPort: {
    env: 'PORT',
    flag: 'port',
    aliases: [{ env: ['PROXY_PORT'] }],
    default: '8080',
    description: 'Public proxy port (0 = pick a free port)',
    schema: intIn(0, 65535),
  },
  proxyHost: {
    env: 'HOST',
    flag: 'host',
    aliases: [],
    default: '0.0.0.0',
    description: 'Public proxy bind address',
    schema: hostSchema,
  },
  adminPort: {
    env: 'ADMIN_PORT',
    flag: 'admin-port',
    aliases: [{ env: ['METRICS_PORT'] }],
    default: '8002',
    description: 'Internal admin/metrics port (0 = pick a free port)',
    schema: intIn(0, 65535),
  },
  adminHost: {
    env: 'ADMIN_HOST',
    flag: 'admin-host',
    aliases: [],
    default: '127.0.0.1',
    description: 'Internal admin/metrics bind address',
    schema: hostSchema,
  },
  upstreamUrl: {
    env: 'UPSTREAM_URL',
    flag: 'upstream',
    aliases: [{ env: ['LM_STUDIO_URL'] }, { env: ['BACKEND_HOST', 'BACKEND_PORT'], adapt: upstreamFromBackend }],
    default: 'http://127.0.0.1:11434',
    description: 'Upstream base URL: http(s), may include a base path, no query',
    schema: upstreamSchema,
  },
  upstreamTimeoutMs: {
    env: 'UPSTREAM_TIMEOUT_MS',
    flag: 'upstream-timeout-ms',
    aliases: [],
    default: '600000',
    description: 'Upstream timeout for response headers and between body bytes, in ms',
    schema: intIn(1, MAX_TIMER_MS),
  },
  dbPath: {
    env: 'DB_PATH',
    flag: 'db-path',
    aliases: [{ env: ['DATABASE_URL'], flag: 'database-url', adapt: (v) => sqlitePathFromUrl(v[0] ?? '') }],
    default: './data/metrics.db',
    description: 'SQLite database file (DATABASE_URL: sqlite:<path> only)',
    schema: dbPathSchema,
  },
  logLevel: {
    env: 'LOG_LEVEL',
    flag: 'log-level',
    aliases: [{ env: ['RUST_LOG'], adapt: rustLogPlainLevel }],
    default: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')} (off = silent)`,
    schema: logLevelSchema,
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    flag: 'shutdown-timeout-ms',
    aliases: [],
    default: '5000',
    description: 'Grace period for in-flight requests on SIGTERM/SIGINT, in ms',
    schema: intIn(0, 60000),
  },
  flushIntervalMs: {
    env: 'FLUSH_INTERVAL_MS',
    flag: 'flush-interval-ms',
    aliases: [],
    default: '200',
    description: 'How often queued metric rows are flushed to the store, in ms',
    schema: intIn(10, 60000),
  },
  retentionDays: {
    env: 'RETENTION_DAYS',
    flag: 'retention-days',
    aliases: [],
    default: '30',
    description: 'Days request rows are kept (0 = forever); older ones are deleted in the background. Daily usage totals outlive them',
    schema: intIn(0, 36500),
  },
  usageRetentionDays: {
    env: 'USAGE_RETENTION_DAYS',
    flag: 'usage-retention-days',
    aliases: [],
    default: '0',
    description: 'Days the exact daily usage totals (/stats/usage) are kept (0 = forever)',
    schema: intIn(0, 36500),
  },
  pricesFile: {
    env: 'PRICES_FILE',
    flag: 'prices-file',
    aliases: [],
    default: '',
    description: 'Price table (JSON or YAML) for cost_usd; see prices.example.yaml',
    schema: optionalText,
  },
  apiKeySecret: {
    env: 'API_KEY_SECRET',
    flag: 'api-key-secret',
    aliases: [],
    default: '',
    description: 'Secret for api_key_id fingerprints (default: generated beside the database)',
    schema: optionalText,
  },
  userHeader: {
    env: 'USER_HEADER',
    flag: 'user-header',
    aliases: [],
    default: 'X-User-Id',
    description: "Request header naming the user (else the body's user field)",
    schema: headerNameSchema,
  },
  tagHeaderPrefix: {
    env: 'TAG_HEADER_PREFIX',
    flag: 'tag-header-prefix',
    aliases: [],
    default: 'X-Metrics-Tag-',
    description: 'Request header prefix for tags (X-Metrics-Tag-Team: red → team=red)',
    schema: headerNameSchema,
  },
  proxyPathPrefixes: {
    env: 'PROXY_PATHS',
    flag: 'proxy-paths',
    aliases: [],
    default: '/v1/,/api/',
    description: 'Comma-separated path prefixes forwarded to the upstream (others get 404)',
    schema: pathPrefixesSchema,
  },
  streamUsage: {
    env: 'STREAM_USAGE',
    flag: 'stream-usage',
    aliases: [],
    default: 'off',
    description: 'Usage for streams without it: off (never modify requests), inject (ask the backend, hide it from the client), estimate (count output tokens)',
    schema: z.enum(STREAM_USAGE_MODES, { error: `must be one of ${STREAM_USAGE_MODES.join(', ')}` }),
  },
  metricsLabelLimit: {
    env: 'METRICS_LABEL_LIMIT',
    flag: 'metrics-label-limit',
    aliases: [],
    default: '100',
    description: 'Distinct values per metrics label (models, endpoints, attribution) before the rest count as "other"',
    schema: intIn(1, 10000),
  },
  metricsAttributionLabels: {
    env: 'METRICS_ATTRIBUTION_LABELS',
    flag: 'metrics-attribution-labels',
    aliases: [],
    default: '',
    description: 'Extra labels on the request and token counters: api_key_id, user, tag:<name> (comma-separated)',
    schema: attributionLabelsSchema,
  },
  genAiProviderName: {
    env: 'GEN_AI_PROVIDER_NAME',
    flag: 'gen-ai-provider-name',
    aliases: [],
    default: 'openai',
    description: 'gen_ai.provider.name on metrics and spans (e.g. ollama, vllm, azure.ai.openai)',
    schema: providerNameSchema,
  },
  otelExporterOtlpEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    flag: 'otel-exporter-otlp-endpoint',
    aliases: [],
    default: '',
    description: 'OTLP/HTTP base URL for metrics and spans (v1/metrics, v1/traces appended); unset: no OpenTelemetry',
    schema: otlpEndpointSchema,
  },
  otelExporterOtlpMetricsEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
    flag: 'otel-exporter-otlp-metrics-endpoint',
    aliases: [],
    default: '',
    description: 'OTLP/HTTP URL for metrics, used as is (overrides the base URL)',
    schema: otlpEndpointSchema,
  },
  otelExporterOtlpTracesEndpoint: {
    env: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    flag: 'otel-exporter-otlp-traces-endpoint',
    aliases: [],
    default: '',
    description: 'OTLP/HTTP URL for spans, used as is (overrides the base URL)',
    schema: otlpEndpointSchema,
  },
  otelServiceName: {
    env: 'OTEL_SERVICE_NAME',
    flag: 'otel-service-name',
    aliases: [],
    default: '',
    description: 'service.name of exported telemetry (default: from OTEL_RESOURCE_ATTRIBUTES, else llm-metrics-proxy)',
    schema: optionalText,
  },
  otelResourceAttributes: {
    env: 'OTEL_RESOURCE_ATTRIBUTES',
    flag: 'otel-resource-attributes',
    aliases: [],
    default: '',
    description: 'Resource attributes of exported telemetry: key=value,… (values percent-encoded)',
    schema: resourceAttributesSchema,
  },
  otelMetricExportIntervalMs: {
    env: 'OTEL_METRIC_EXPORT_INTERVAL',
    flag: 'otel-metric-export-interval',
    aliases: [],
    default: '60000',
    description: 'How often metrics are exported over OTLP, in ms',
    schema: intIn(1, MAX_TIMER_MS),
  },
};
