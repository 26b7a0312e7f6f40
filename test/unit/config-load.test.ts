import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/config.js';
import { loadConfig, type ConfigSources } from '../../src/config/load-config.js';

function load(sources: Partial<ConfigSources>): Config {
  return loadConfig({ argv: [], env: {}, dotenv: {}, ...sources });
}

/** The metrics and OpenTelemetry settings' defaults (their own tests: config-metrics-settings.test.ts). */
const METRICS_DEFAULTS = {
  metricsLabelLimit: 100,
  metricsAttributionLabels: [],
  genAiProviderName: 'openai',
  otelExporterOtlpEndpoint: null,
  otelExporterOtlpMetricsEndpoint: null,
  otelExporterOtlpTracesEndpoint: null,
  otelServiceName: null,
  otelResourceAttributes: {},
  otelMetricExportIntervalMs: 60000,
} as const;

const DEFAULTS: Config = {
  proxyPort: 8080,
  proxyHost: '0.0.0.0',
  adminPort: 8002,
  adminHost: '127.0.0.1',
  upstreamUrl: 'http://127.0.0.1:11434',
  upstreamTimeoutMs: 600000,
  dbPath: './data/metrics.db',
  logLevel: 'info',
  shutdownTimeoutMs: 5000,
  flushIntervalMs: 200,
  retentionDays: 30,
  usageRetentionDays: 0,
  pricesFile: null,
  apiKeySecret: null,
  userHeader: 'x-user-id',
  tagHeaderPrefix: 'x-metrics-tag-',
  proxyPathPrefixes: ['/v1/', '/api/'],
  streamUsage: 'off',
  ...METRICS_DEFAULTS,
};

describe('loadConfig: defaults and primary names', () => {
  it('returns every default, frozen, when nothing is set', () => {
    const config = load({});
    assert.deepEqual(config, DEFAULTS);
    assert.ok(Object.isFrozen(config));
    assert.throws(() => {
      (config as { proxyPort: number }).proxyPort = 1;
    }, TypeError);
  });

  it('reads every setting from its primary environment variable', () => {
    const config = load({
      env: {
        PORT: '0',
        HOST: '::',
        ADMIN_PORT: '65535',
        ADMIN_HOST: 'localhost',
        UPSTREAM_URL: 'https://api.example.com',
        UPSTREAM_TIMEOUT_MS: '1',
        DB_PATH: '/var/lib/lmp/m.db',
        LOG_LEVEL: 'debug',
        SHUTDOWN_TIMEOUT_MS: '0',
        FLUSH_INTERVAL_MS: '10',
        RETENTION_DAYS: '7',
        USAGE_RETENTION_DAYS: '400',
        PRICES_FILE: 'p.json',
        API_KEY_SECRET: 'k',
        USER_HEADER: 'X-Who',
        TAG_HEADER_PREFIX: 'X-T-',
        PROXY_PATHS: '/v1/, /ollama/api/',
        STREAM_USAGE: 'inject',
      },
    });
    assert.deepEqual(config, {
      pricesFile: 'p.json',
      apiKeySecret: 'k',
      userHeader: 'x-who',
      tagHeaderPrefix: 'x-t-',
      proxyPathPrefixes: ['/v1/', '/ollama/api/'],
      streamUsage: 'inject',
      proxyPort: 0,
      proxyHost: '::',
      adminPort: 65535,
      adminHost: 'localhost',
      upstreamUrl: 'https://api.example.com',
      upstreamTimeoutMs: 1,
      dbPath: '/var/lib/lmp/m.db',
      logLevel: 'debug',
      shutdownTimeoutMs: 0,
      flushIntervalMs: 10,
      retentionDays: 7,
      usageRetentionDays: 400,
      ...METRICS_DEFAULTS,
    });
  });

  it('reads every setting from its CLI flag, both `--flag value` and `--flag=value`', () => {
    const config = load({
      argv: [
        '--port', '9000', '--host=127.0.0.2', '--admin-port', '9001', '--admin-host=0.0.0.0',
        '--upstream', 'http://gpu-box:1234/v1/', '--upstream-timeout-ms=2147483647', '--db-path', 'x.db',
        '--log-level', 'WARN', '--shutdown-timeout-ms', '60000', '--flush-interval-ms=60000', '--retention-days=0',
        '--usage-retention-days', '36500',
        '--prices-file', 'p.yaml', '--api-key-secret=s', '--user-header', 'X-U', '--tag-header-prefix=X-Tag-',
        '--proxy-paths=/v1/', '--stream-usage', 'estimate',
      ],
    });
    assert.deepEqual(config, {
      pricesFile: 'p.yaml',
      apiKeySecret: 's',
      userHeader: 'x-u',
      tagHeaderPrefix: 'x-tag-',
      proxyPathPrefixes: ['/v1/'],
      streamUsage: 'estimate',
      proxyPort: 9000,
      proxyHost: '127.0.0.2',
      adminPort: 9001,
      adminHost: '0.0.0.0',
      upstreamUrl: 'http://gpu-box:1234/v1',
      upstreamTimeoutMs: 2147483647,
      dbPath: 'x.db',
      logLevel: 'warn',
      shutdownTimeoutMs: 60000,
      flushIntervalMs: 60000,
      retentionDays: 0,
      usageRetentionDays: 36500,
      ...METRICS_DEFAULTS,
    });
  });

  it('refuses retention days that are not whole days from 0 to 36500, naming the setting', () => {
    for (const bad of ['-1', '1.5', '36501', 'forever']) {
      assert.throws(() => load({ env: { RETENTION_DAYS: bad } }), /RETENTION_DAYS \(from environment\): must be an integer from 0 to 36500/, bad);
      assert.throws(() => load({ env: { USAGE_RETENTION_DAYS: bad } }), /USAGE_RETENTION_DAYS \(from environment\): must be an integer from 0 to 36500/, bad);
    }
  });

  it('refuses proxy path prefixes without slashes and unknown stream usage modes, naming both', () => {
    assert.throws(
      () => load({ env: { PROXY_PATHS: 'v1', STREAM_USAGE: 'maybe' } }),
      (err: Error) => /PROXY_PATHS.*starting and ending with \//s.test(err.message) && /STREAM_USAGE.*off, inject, estimate/s.test(err.message),
    );
    assert.throws(() => load({ env: { PROXY_PATHS: '/v1/,/../' } }), /PROXY_PATHS/);
    assert.throws(() => load({ env: { PROXY_PATHS: ' , ' } }), /PROXY_PATHS/);
  });

  it('accepts leading zeros, and the last of a repeated flag', () => {
    assert.equal(load({ argv: ['--port', '1', '--port', '0080'] }).proxyPort, 80);
  });

  it('log levels are case-insensitive and off means silent', () => {
    assert.equal(load({ env: { LOG_LEVEL: 'Trace' } }).logLevel, 'trace');
    assert.equal(load({ env: { LOG_LEVEL: 'off' } }).logLevel, 'silent');
    assert.equal(load({ env: { LOG_LEVEL: 'OFF' } }).logLevel, 'silent');
    assert.equal(load({ argv: ['--log-level', 'Silent'] }).logLevel, 'silent');
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const) {
      assert.equal(load({ dotenv: { LOG_LEVEL: level } }).logLevel, level);
    }
  });
});

describe('loadConfig: aliases', () => {
  it('PROXY_PORT → proxyPort, METRICS_PORT → adminPort', () => {
    const config = load({ env: { PROXY_PORT: '3000', METRICS_PORT: '3001' } });
    assert.equal(config.proxyPort, 3000);
    assert.equal(config.adminPort, 3001);
  });

  it('LM_STUDIO_URL → upstreamUrl', () => {
    assert.equal(load({ env: { LM_STUDIO_URL: 'http://localhost:1234/' } }).upstreamUrl, 'http://localhost:1234');
  });

  it('BACKEND_HOST + BACKEND_PORT → upstreamUrl, either half defaulted', () => {
    assert.equal(load({ env: { BACKEND_HOST: 'ollama', BACKEND_PORT: '8000' } }).upstreamUrl, 'http://ollama:8000');
    assert.equal(load({ env: { BACKEND_HOST: 'ollama' } }).upstreamUrl, 'http://ollama:11434');
    assert.equal(load({ env: { BACKEND_PORT: '8000' } }).upstreamUrl, 'http://127.0.0.1:8000');
    assert.equal(load({ env: { BACKEND_HOST: '::1' } }).upstreamUrl, 'http://[::1]:11434');
    assert.equal(load({ env: { BACKEND_HOST: '[::1]', BACKEND_PORT: '80' } }).upstreamUrl, 'http://[::1]');
    assert.equal(load({ dotenv: { BACKEND_HOST: 'ollama', BACKEND_PORT: '' } }).upstreamUrl, 'http://ollama:11434');
  });

  it('DATABASE_URL and --database-url → dbPath', () => {
    assert.equal(load({ env: { DATABASE_URL: 'sqlite:./lms.db' } }).dbPath, './lms.db');
    assert.equal(load({ argv: ['--database-url', 'sqlite:///srv/lms.db'] }).dbPath, '/srv/lms.db');
  });

  it('RUST_LOG → logLevel (plain levels, case-insensitive, off)', () => {
    assert.equal(load({ env: { RUST_LOG: 'debug' } }).logLevel, 'debug');
    assert.equal(load({ env: { RUST_LOG: 'WARN' } }).logLevel, 'warn');
    assert.equal(load({ env: { RUST_LOG: 'off' } }).logLevel, 'silent');
  });

  it('aliases work from .env too', () => {
    const config = load({ dotenv: { PROXY_PORT: '1', METRICS_PORT: '2', LM_STUDIO_URL: 'http://a:3', RUST_LOG: 'error' } });
    assert.deepEqual(
      [config.proxyPort, config.adminPort, config.upstreamUrl, config.logLevel],
      [1, 2, 'http://a:3', 'error'],
    );
  });
});

describe('loadConfig: precedence', () => {
  it('CLI flag over environment over .env over default', () => {
    assert.equal(load({ argv: ['--port', '1'], env: { PORT: '2' }, dotenv: { PORT: '3' } }).proxyPort, 1);
    assert.equal(load({ env: { PORT: '2' }, dotenv: { PORT: '3' } }).proxyPort, 2);
    assert.equal(load({ dotenv: { PORT: '3' } }).proxyPort, 3);
  });

  it('within one source, the primary name beats its aliases', () => {
    assert.equal(load({ env: { PORT: '1', PROXY_PORT: '2' } }).proxyPort, 1);
    assert.equal(load({ dotenv: { ADMIN_PORT: '1', METRICS_PORT: '2' } }).adminPort, 1);
    assert.equal(load({ env: { LOG_LEVEL: 'warn', RUST_LOG: 'debug' } }).logLevel, 'warn');
    assert.equal(load({ env: { DB_PATH: 'a.db', DATABASE_URL: 'sqlite:b.db' } }).dbPath, 'a.db');
    assert.equal(load({ argv: ['--database-url', 'sqlite:b.db', '--db-path', 'a.db'] }).dbPath, 'a.db');
  });

  it('upstream: UPSTREAM_URL > LM_STUDIO_URL > BACKEND_HOST+BACKEND_PORT', () => {
    const all = { UPSTREAM_URL: 'http://u:1', LM_STUDIO_URL: 'http://l:2', BACKEND_HOST: 'b', BACKEND_PORT: '3' };
    assert.equal(load({ env: all }).upstreamUrl, 'http://u:1');
    assert.equal(load({ env: { ...all, UPSTREAM_URL: undefined } }).upstreamUrl, 'http://l:2');
    assert.equal(load({ env: { BACKEND_HOST: 'b', BACKEND_PORT: '3' } }).upstreamUrl, 'http://b:3');
  });

  it('the source comes first: an alias in a higher source beats the primary in a lower one', () => {
    assert.equal(load({ env: { PROXY_PORT: '2' }, dotenv: { PORT: '3' } }).proxyPort, 2);
    assert.equal(load({ argv: ['--database-url', 'sqlite:cli.db'], env: { DB_PATH: 'env.db' } }).dbPath, 'cli.db');
    assert.equal(load({ env: { DATABASE_URL: 'sqlite:env.db' }, dotenv: { DB_PATH: 'dot.db' } }).dbPath, 'env.db');
    assert.equal(load({ env: { RUST_LOG: 'debug' }, dotenv: { LOG_LEVEL: 'error' } }).logLevel, 'debug');
  });

  it('empty-string values count as unset', () => {
    assert.equal(load({ env: { PORT: '' }, dotenv: { PORT: '3' } }).proxyPort, 3);
    assert.equal(load({ env: { PORT: '', PROXY_PORT: '4' } }).proxyPort, 4);
    assert.equal(load({ env: { PORT: '' }, dotenv: { PORT: '' } }).proxyPort, 8080);
  });

  it('an overridden value is not validated', () => {
    assert.equal(load({ argv: ['--port', '1'], env: { PORT: 'abc' }, dotenv: { PORT: '-5' } }).proxyPort, 1);
    assert.equal(load({ env: { DB_PATH: 'a.db', DATABASE_URL: 'postgres://x/y' } }).dbPath, 'a.db');
  });
});

describe('loadConfig: upstream URLs', () => {
  const cases: [string, string][] = [
    ['https://gw.example/openai', 'https://gw.example/openai'],
    ['https://gw.example/openai/', 'https://gw.example/openai'],
    ['https://gw.example/openai/v1//', 'https://gw.example/openai/v1'],
    ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434'],
    ['HTTP://GPU-Box:80/Base', 'http://gpu-box/Base'],
    ['https://user:pa%40ss@gw.example/openai', 'https://user:pa%40ss@gw.example/openai'],
    ['http://[::1]:8000', 'http://[::1]:8000'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      assert.equal(load({ env: { UPSTREAM_URL: input } }).upstreamUrl, expected);
    });
  }
});

describe('loadConfig: DATABASE_URL forms', () => {
  const cases: [string, string][] = [
    ['sqlite:./path/m.db', './path/m.db'],
    ['sqlite://./path/m.db', './path/m.db'],
    ['sqlite:///abs/path/m.db', '/abs/path/m.db'],
    ['sqlite:path/m.db', 'path/m.db'],
    ['SQLite:m.db', 'm.db'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => {
      assert.equal(load({ env: { DATABASE_URL: input } }).dbPath, expected);
      assert.equal(load({ dotenv: { DATABASE_URL: input } }).dbPath, expected);
      assert.equal(load({ argv: [`--database-url=${input}`] }).dbPath, expected);
    });
  }
});

describe('loadConfig: attribution and pricing settings', () => {
  it('reads PRICES_FILE, API_KEY_SECRET, USER_HEADER and TAG_HEADER_PREFIX (header names lower-cased)', () => {
    const config = load({
      env: { PRICES_FILE: './prices.yaml', API_KEY_SECRET: 's3cret', USER_HEADER: 'X-Team-User', TAG_HEADER_PREFIX: 'X-Tag-' },
    });
    assert.equal(config.pricesFile, './prices.yaml');
    assert.equal(config.apiKeySecret, 's3cret');
    assert.equal(config.userHeader, 'x-team-user');
    assert.equal(config.tagHeaderPrefix, 'x-tag-');
  });

  it('rejects header names that are not RFC 9110 tokens', () => {
    assert.throws(() => load({ argv: ['--user-header', 'X User'] }), /--user-header: must be an HTTP header name/);
  });
});
