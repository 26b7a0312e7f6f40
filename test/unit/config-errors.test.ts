import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.js';
import { ConfigError, loadConfig, type ConfigSources } from '../../src/config/load-config.js';

function problemsOf(sources: Partial<ConfigSources>): string[] {
  try {
    loadConfig({ argv: [], env: {}, dotenv: {}, ...sources });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected loadConfig to throw');
}

const PORT_RANGE = 'must be an integer from 0 to 65535';
const URL_SHAPE = 'must be an absolute http:// or https:// URL';
const SQLITE_ONLY = 'only sqlite: URLs are supported in this version (e.g. sqlite:./data/metrics.db)';
const LEVELS = 'must be one of trace, debug, info, warn, error, fatal, silent (or off)';

describe('loadConfig: every problem at once', () => {
  it('lists every bad setting from every source, in setting order after CLI problems', () => {
    const problems = problemsOf({
      argv: ['--port', 'abc', '--prot', '8', 'serve', '--host=', '--flush-interval-ms'],
      env: {
        ADMIN_PORT: '65536',
        UPSTREAM_URL: 'ftp://files.example',
        UPSTREAM_TIMEOUT_MS: '0',
        DATABASE_URL: 'postgres://db.example/metrics',
        RUST_LOG: 'my_crate=debug',
      },
      dotenv: { ADMIN_HOST: 'a b', SHUTDOWN_TIMEOUT_MS: '60001', FLUSH_INTERVAL_MS: '9' },
    });
    assert.deepEqual(problems, [
      '--prot: unknown option (see --help)',
      '"serve": unexpected argument (this program takes no positional arguments)',
      '--flush-interval-ms: needs a value',
      `--port: ${PORT_RANGE}, got "abc"`,
      '--host: must not be empty, got ""',
      `ADMIN_PORT (from environment): ${PORT_RANGE}, got "65536"`,
      'ADMIN_HOST (from .env): must not contain whitespace, got "a b"',
      `UPSTREAM_URL (from environment): ${URL_SHAPE}, got "ftp://files.example"`,
      'UPSTREAM_TIMEOUT_MS (from environment): must be an integer from 1 to 2147483647, got "0"',
      `DATABASE_URL (from environment): ${SQLITE_ONLY}, got "postgres://db.example/metrics"`,
      'RUST_LOG (from environment): only plain levels are accepted (trace, debug, info, warn, error, fatal, silent, off), not per-target directives, got "my_crate=debug"',
      'SHUTDOWN_TIMEOUT_MS (from .env): must be an integer from 0 to 60000, got "60001"',
      'FLUSH_INTERVAL_MS (from .env): must be an integer from 10 to 60000, got "9"',
    ]);
  });

  it('is a ConfigError (an AppError with code LMP_CONFIG_INVALID) whose message lists each problem', () => {
    try {
      loadConfig({ argv: [], env: { PORT: 'x', PROXY_PORT: '1' }, dotenv: { HOST: '' , LOG_LEVEL: 'loud' } });
      assert.fail('expected a throw');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'LMP_CONFIG_INVALID');
      assert.equal(err.name, 'ConfigError');
      assert.equal(
        err.message,
        'Invalid configuration:\n' +
          `  - PORT (from environment): ${PORT_RANGE}, got "x"\n` +
          `  - LOG_LEVEL (from .env): ${LEVELS}, got "loud"`,
      );
    }
  });

  it('rejects non-integer and out-of-range numbers without clamping', () => {
    const bad = ['-1', '1.5', '1e3', '0x50', ' 80', '65536', '99999999999999999999'];
    for (const value of bad) {
      assert.deepEqual(problemsOf({ env: { PORT: value } }), [`PORT (from environment): ${PORT_RANGE}, got ${JSON.stringify(value)}`]);
    }
    assert.deepEqual(problemsOf({ argv: ['--upstream-timeout-ms=2147483648'] }), [
      '--upstream-timeout-ms: must be an integer from 1 to 2147483647, got "2147483648"',
    ]);
    assert.deepEqual(problemsOf({ argv: ['--port='] }), [`--port: ${PORT_RANGE}, got ""`]);
  });

  it('names the alias the user typed', () => {
    assert.deepEqual(problemsOf({ env: { PROXY_PORT: 'x' }, dotenv: { METRICS_PORT: 'y' } }), [
      `PROXY_PORT (from environment): ${PORT_RANGE}, got "x"`,
      `METRICS_PORT (from .env): ${PORT_RANGE}, got "y"`,
    ]);
    assert.deepEqual(problemsOf({ dotenv: { LM_STUDIO_URL: 'localhost:1234' } }), [
      `LM_STUDIO_URL (from .env): ${URL_SHAPE}, got "localhost:1234"`,
    ]);
    assert.deepEqual(problemsOf({ argv: ['--database-url', 'mysql://h/db'] }), [`--database-url: ${SQLITE_ONLY}, got "mysql://h/db"`]);
    assert.deepEqual(problemsOf({ env: { RUST_LOG: 'verbose' } }), [`RUST_LOG (from environment): ${LEVELS}, got "verbose"`]);
    assert.deepEqual(problemsOf({ env: { RUST_LOG: 'info,hyper=warn' } }), [
      'RUST_LOG (from environment): only plain levels are accepted (trace, debug, info, warn, error, fatal, silent, off), not per-target directives, got "info,hyper=warn"',
    ]);
    // LOG_LEVEL itself gets the ordinary message.
    assert.deepEqual(problemsOf({ env: { LOG_LEVEL: 'my_crate=debug' } }), [
      `LOG_LEVEL (from environment): ${LEVELS}, got "my_crate=debug"`,
    ]);
  });

  it('BACKEND_HOST / BACKEND_PORT problems name the half that is wrong', () => {
    assert.deepEqual(problemsOf({ env: { BACKEND_PORT: 'abc' } }), [
      'BACKEND_PORT (from environment): must be an integer from 1 to 65535, got "abc"',
    ]);
    assert.deepEqual(problemsOf({ dotenv: { BACKEND_HOST: 'h', BACKEND_PORT: '0' } }), [
      'BACKEND_PORT (from .env): must be an integer from 1 to 65535, got "0"',
    ]);
    assert.deepEqual(problemsOf({ env: { BACKEND_HOST: 'http://ollama' } }), [
      'BACKEND_HOST (from environment): must be a bare host name or IP address (no scheme, port or path), got "http://ollama"',
    ]);
    assert.deepEqual(problemsOf({ env: { BACKEND_HOST: 'ollama:11434' } }), [
      'BACKEND_HOST (from environment): must be a bare host name or IP address (no scheme, port or path), got "ollama:11434"',
    ]);
  });

  it('rejects bad upstream URLs', () => {
    const cases: [string, string][] = [
      ['not a url', URL_SHAPE],
      ['http://', URL_SHAPE],
      ['ws://host:1', URL_SHAPE],
      ['file:///tmp/x', URL_SHAPE],
      ['http://host/v1?key=1', 'must not contain a query string or fragment'],
      ['http://host/v1?', 'must not contain a query string or fragment'],
      ['http://host/v1#frag', 'must not contain a query string or fragment'],
    ];
    for (const [value, message] of cases) {
      assert.deepEqual(problemsOf({ argv: ['--upstream', value] }), [`--upstream: ${message}, got ${JSON.stringify(value)}`]);
    }
  });

  it('rejects bad DATABASE_URL values', () => {
    const cases: [string, string][] = [
      ['postgres://db/metrics', SQLITE_ONLY],
      ['./metrics.db', SQLITE_ONLY],
      ['sqlite:', 'sqlite: URL must include a file path'],
      ['sqlite://', 'sqlite: URL must include a file path'],
      ['sqlite:./m.db?mode=rwc', 'query parameters are not supported in a sqlite: URL'],
    ];
    for (const [value, message] of cases) {
      assert.deepEqual(problemsOf({ env: { DATABASE_URL: value } }), [
        `DATABASE_URL (from environment): ${message}, got ${JSON.stringify(value)}`,
      ]);
    }
  });

  it('rejects unknown flags, short flags, positionals and missing or option-like values', () => {
    assert.deepEqual(problemsOf({ argv: ['-p', '80', 'extra', '--', 'more', '--verbose=1'] }), [
      '-p: unknown option (see --help)',
      '"extra": unexpected argument (this program takes no positional arguments)',
      '"more": unexpected argument (this program takes no positional arguments)',
      '"--verbose=1": unexpected argument (this program takes no positional arguments)',
    ]);
    assert.deepEqual(problemsOf({ argv: ['--verbose=1', 'x', '--port'] }), [
      '--verbose: unknown option (see --help)',
      '"x": unexpected argument (this program takes no positional arguments)',
      '--port: needs a value',
    ]);
    assert.deepEqual(problemsOf({ argv: ['--port', '--host', 'h'] }), [
      '--port: needs a value, but the next argument "--host" looks like an option (write --port=<value> for a value starting with "-")',
      '"h": unexpected argument (this program takes no positional arguments)',
    ]);
  });
});

describe('loadConfig: secrets are never echoed', () => {
  const SECRET = 's3cr3t-P@ss';

  function messageOf(sources: Partial<ConfigSources>): string {
    try {
      loadConfig({ argv: [], env: {}, dotenv: {}, ...sources });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.cause, undefined);
      assert.ok(!err.message.includes(SECRET), err.message);
      assert.ok(!err.message.includes('s3cr3t'), err.message);
      assert.ok(!JSON.stringify(err.problems).includes('s3cr3t'));
      assert.ok(!(err.stack ?? '').includes('s3cr3t'));
      return err.problems.join('\n');
    }
    assert.fail('expected a throw');
  }

  it('redacts the password of a rejected upstream URL', () => {
    assert.equal(
      messageOf({ env: { UPSTREAM_URL: `https://bob:${SECRET}@gw.example/openai?x=1` } }),
      'UPSTREAM_URL (from environment): must not contain a query string or fragment, got "https://bob:***@gw.example/openai?x=1"',
    );
    assert.equal(
      messageOf({ argv: ['--upstream', `ftp://bob:${SECRET}@gw.example`] }),
      `--upstream: ${URL_SHAPE}, got "ftp://bob:***@gw.example"`,
    );
    // Unparseable (space in the host): still redacted.
    assert.equal(
      messageOf({ dotenv: { LM_STUDIO_URL: `http://bob:${SECRET}@gw example/` } }),
      `LM_STUDIO_URL (from .env): ${URL_SHAPE}, got "http://bob:***@gw example/"`,
    );
  });

  it('redacts the password of a non-sqlite DATABASE_URL', () => {
    assert.equal(
      messageOf({ env: { DATABASE_URL: `postgres://app:${SECRET}@db.internal:5432/metrics` } }),
      `DATABASE_URL (from environment): ${SQLITE_ONLY}, got "postgres://app:***@db.internal:5432/metrics"`,
    );
  });

  it('keeps the credentials of an accepted upstream URL in the config', () => {
    const config = loadConfig({ argv: [], env: { UPSTREAM_URL: 'https://bob:pw@gw.example/openai/' }, dotenv: {} });
    assert.equal(config.upstreamUrl, 'https://bob:pw@gw.example/openai');
  });
});
