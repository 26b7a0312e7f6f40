import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/child-service.js';
import { helpText } from '../../src/config/help.js';
import { SETTINGS } from '../../src/config/settings.js';

/** The real CLI: invalid configuration exits 2 naming every bad setting; --help exits 0. */

describe('lifecycle: CLI configuration exit codes', () => {
  it('--port abc with UPSTREAM_URL=ftp://x exits with code 2 and stderr names both settings', { timeout: 30_000 }, async () => {
    const result = await runCli(['--port', 'abc'], { env: { UPSTREAM_URL: 'ftp://x' } });
    assert.equal(result.signal, null);
    assert.equal(result.code, 2, `stderr: ${result.stderr}`);
    assert.equal(
      result.stderr,
      [
        'Invalid configuration:',
        '  - --port: must be an integer from 0 to 65535, got "abc"',
        '  - UPSTREAM_URL (from environment): must be an absolute http:// or https:// URL, got "ftp://x"',
        'Run with --help to see every setting.',
        '',
      ].join('\n'),
    );
    assert.equal(result.stdout, '', 'nothing is logged: the service never started');
  });

  it('--help exits 0 and prints every setting (flag, environment variable, default) to stdout', { timeout: 30_000 }, async () => {
    const result = await runCli(['--help']);
    assert.equal(result.signal, null);
    assert.equal(result.code, 0, `stderr: ${result.stderr}`);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, `${helpText()}\n`);
    assert.ok(result.stdout.startsWith('Usage: llm-metrics-proxy [options]\n'));
    for (const setting of Object.values(SETTINGS)) {
      const line = result.stdout.split('\n').find((l) => l.startsWith(`--${setting.flag} `));
      assert.ok(line, `no help line for --${setting.flag}`);
      assert.match(line, new RegExp(`\\s${setting.env}\\s`), `--${setting.flag} line names ${setting.env}`);
      assert.ok(line.includes(`  ${setting.default}  `), `--${setting.flag} line shows default ${setting.default}`);
      assert.ok(line.endsWith(setting.description), `--${setting.flag} line ends with its description`);
    }
  });

  it('--help wins over invalid settings and still exits 0', { timeout: 30_000 }, async () => {
    const result = await runCli(['--port', 'abc', '--help'], { env: { UPSTREAM_URL: 'ftp://x' } });
    assert.equal(result.code, 0, `stderr: ${result.stderr}`);
    assert.equal(result.stderr, '');
    assert.equal(result.stdout, `${helpText()}\n`);
  });
});
