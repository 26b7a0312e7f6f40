import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, HelpRequested, helpText, loadConfig, readDotenv } from '../../src/config/load-config.js';
import { SETTINGS } from '../../src/config/settings.js';

function helpFor(argv: string[]): HelpRequested {
  try {
    loadConfig({ argv, env: { PORT: 'bad' }, dotenv: {} });
  } catch (err) {
    assert.ok(err instanceof HelpRequested, `expected HelpRequested, got ${String(err)}`);
    return err;
  }
  assert.fail('expected HelpRequested');
}

describe('--help', () => {
  it('--help and -h throw HelpRequested carrying helpText(), even next to bad settings', () => {
    for (const argv of [['--help'], ['-h'], ['--port', 'x', '--bogus', '-h'], ['stray', '--help']]) {
      const signal = helpFor(argv);
      assert.equal(signal.text, helpText());
      assert.ok(!(signal instanceof ConfigError));
      assert.equal(signal.name, 'HelpRequested');
    }
  });

  it('help text has a usage line and one row per setting with flag, env vars, default and description', () => {
    const text = helpText();
    const lines = text.split('\n');
    assert.equal(lines[0], 'Usage: llm-metrics-proxy [options]');
    const portRow = lines.find((l) => l.startsWith('--port '));
    assert.match(portRow ?? '', /^--port +PORT +8080 +Public proxy port \(0 = pick a free port\)$/);
    const portIndex = lines.indexOf(portRow ?? '');
    assert.match(lines[portIndex + 1] ?? '', /^ +PROXY_PORT$/);
    assert.match(text, /^--database-url +DATABASE_URL$/m);
    assert.match(text, /^ +BACKEND_HOST\+BACKEND_PORT$/m);
    assert.match(text, /^-h, --help +Print this help and exit$/m);
    for (const s of Object.values(SETTINGS)) {
      const row = lines.find((l) => l.startsWith(`--${s.flag} `));
      assert.ok(row, `row for --${s.flag}`);
      assert.ok(row.includes(` ${s.env} `), `${s.env} in ${row}`);
      assert.ok(row.includes(` ${s.default} `), `${s.default} in ${row}`);
      assert.ok(row.endsWith(s.description), `${s.description} in ${row}`);
      for (const alias of s.aliases) {
        if (alias.env) assert.match(text, new RegExp(`\\b${alias.env.join('\\+')}\\b`));
        if (alias.flag) assert.match(text, new RegExp(`^--${alias.flag}\\b`, 'm'));
      }
    }
  });

  it('every default in the table parses to the documented default', () => {
    const config = loadConfig({ argv: [], env: {}, dotenv: {} });
    assert.equal(String(config.proxyPort), SETTINGS.proxyPort.default);
    assert.equal(config.upstreamUrl, SETTINGS.upstreamUrl.default);
    assert.equal(config.dbPath, SETTINGS.dbPath.default);
  });
});

describe('readDotenv', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lmp-config-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('missing .env → {}', () => {
    assert.deepEqual(readDotenv(dir), {});
  });

  it('parses .env with util.parseEnv (comments, quotes, empty values)', async () => {
    const cwd = join(dir, 'with-env');
    await mkdir(cwd);
    await writeFile(
      join(cwd, '.env'),
      '# comment\nPORT=9090\nUPSTREAM_URL="https://gw.example/openai"\nLOG_LEVEL=\'debug\'\nHOST=\n',
    );
    const dotenv = readDotenv(cwd);
    assert.deepEqual(dotenv, { PORT: '9090', UPSTREAM_URL: 'https://gw.example/openai', LOG_LEVEL: 'debug', HOST: '' });
    const config = loadConfig({ argv: [], env: { PORT: '7070' }, dotenv });
    assert.deepEqual(
      [config.proxyPort, config.upstreamUrl, config.logLevel, config.proxyHost],
      [7070, 'https://gw.example/openai', 'debug', '0.0.0.0'],
    );
  });

  it('an unreadable .env (a directory) is a ConfigError', async () => {
    const cwd = join(dir, 'env-is-dir');
    await mkdir(join(cwd, '.env'), { recursive: true });
    assert.throws(
      () => readDotenv(cwd),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.code === 'LMP_CONFIG_INVALID' &&
        err.problems.length === 1 &&
        err.problems[0] === `.env: cannot read ${join(cwd, '.env')} (EISDIR)`,
    );
  });
});
