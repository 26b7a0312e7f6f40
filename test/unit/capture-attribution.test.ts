import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprintApiKey, loadOrCreateKeySecret, readHeaderAttribution } from '../../src/capture/attribution.js';

const options = { keySecret: Buffer.from('secret'), userHeader: 'x-user-id', tagPrefix: 'x-metrics-tag-' };

describe('readHeaderAttribution', () => {
  it('reads the bearer key, origin, user header and tag headers (case-insensitive names)', () => {
    const info = readHeaderAttribution(
      ['Authorization', 'Bearer sk-abc', 'Origin', 'https://app.example', 'X-User-Id', 'alice', 'X-Metrics-Tag-Team', 'red', 'x-metrics-tag-env', 'prod', 'Content-Type', 'application/json'],
      options,
    );
    assert.deepEqual(info, { apiKey: 'sk-abc', origin: 'https://app.example', user: 'alice', tags: { team: 'red', env: 'prod' } });
  });

  it('takes Anthropic x-api-key and Azure api-key when there is no Authorization', () => {
    assert.equal(readHeaderAttribution(['x-api-key', 'sk-ant'], options).apiKey, 'sk-ant');
    assert.equal(readHeaderAttribution(['api-key', 'az'], options).apiKey, 'az');
    assert.equal(readHeaderAttribution(['Authorization', 'Bearer a', 'x-api-key', 'b'], options).apiKey, 'a');
  });

  it('returns nulls and no tags for a bare request', () => {
    assert.deepEqual(readHeaderAttribution(['Host', 'x'], options), { apiKey: null, origin: null, user: null, tags: {} });
  });
});

describe('fingerprintApiKey', () => {
  it('is stable for one key and secret, differs across keys and secrets, and does not contain the key', () => {
    const a = fingerprintApiKey('sk-abc', Buffer.from('s1'));
    assert.match(a, /^key_[0-9a-f]{16}$/);
    assert.equal(fingerprintApiKey('sk-abc', Buffer.from('s1')), a);
    assert.notEqual(fingerprintApiKey('sk-abd', Buffer.from('s1')), a);
    assert.notEqual(fingerprintApiKey('sk-abc', Buffer.from('s2')), a);
    assert.ok(!a.includes('abc'));
  });
});

describe('loadOrCreateKeySecret', () => {
  it('creates a random secret once beside the database (mode 0600) and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-secret-'));
    const dbPath = join(dir, 'sub', 'metrics.db');
    const first = loadOrCreateKeySecret(dbPath);
    assert.equal(first.length, 32);
    const file = join(dir, 'sub', 'api-key-id.secret');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), first.toString('hex'));
    assert.deepEqual(loadOrCreateKeySecret(dbPath), first);
  });
});

describe('loadOrCreateKeySecret with a damaged file', () => {
  it('refuses an empty or short secret file instead of hashing with a weak key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-secret-'));
    writeFileSync(join(dir, 'api-key-id.secret'), '');
    assert.throws(() => loadOrCreateKeySecret(join(dir, 'metrics.db')), /must hold 32 bytes as hex/);
    writeFileSync(join(dir, 'api-key-id.secret'), 'abcd\n');
    assert.throws(() => loadOrCreateKeySecret(join(dir, 'metrics.db')), /must hold 32 bytes as hex/);
  });

  it('leaves no temporary file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lmp-secret-'));
    loadOrCreateKeySecret(join(dir, 'metrics.db'));
    assert.deepEqual(readdirSync(dir), ['api-key-id.secret']);
  });
});
