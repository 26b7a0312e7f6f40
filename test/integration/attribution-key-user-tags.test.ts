import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import OpenAI from 'openai';
import { pino } from 'pino';
import { startService, type RunningService } from '../../src/service.js';
import type { StoredRequest } from '../../src/domain/request-record.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { chatCompletion } from '../helpers/chunks.js';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { testConfig } from '../helpers/service.js';

const API_KEY = 'sk-very-secret-key-0123456789';

describe('attribution: API key fingerprint, user, tags, origin, message count', () => {
  let upstream: FakeUpstream;
  let service: RunningService;
  let store: Store;
  let dir: string;
  const logs: string[] = [];

  before(async () => {
    upstream = await startFakeUpstream((_req, res) => sendJson(res, 200, chatCompletion('ok', 12, 3)));
    dir = mkdtempSync(join(tmpdir(), 'lmp-attr-'));
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    // No API_KEY_SECRET: the secret is generated beside the database.
    const config = testConfig({ upstreamUrl: upstream.url, apiKeySecret: null, logLevel: 'trace' }, dir);
    service = await startService(config, pino({ level: 'trace' }, sink));
    store = openStore({ dbPath: config.dbPath });
  });

  after(async () => {
    await service.close();
    await store.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rows(n: number): Promise<StoredRequest[]> {
    await service.recorder.flush();
    const recent = await store.recent({ filter: {}, limit: 100 });
    assert.equal(recent.length, n);
    return recent.reverse();
  }

  it('records a stable key fingerprint, the user header over the body user, tags, origin and message count', async () => {
    const client = new OpenAI({
      baseURL: `${service.proxyUrl}/v1`,
      apiKey: API_KEY,
      defaultHeaders: { 'X-User-Id': 'alice', 'X-Metrics-Tag-Team': 'red', 'X-Metrics-Tag-Env': 'prod', Origin: 'https://app.example' },
    });
    const messages = [
      { role: 'system' as const, content: 'be brief' },
      { role: 'user' as const, content: 'hi' },
      { role: 'user' as const, content: 'again' },
    ];
    await client.chat.completions.create({ model: 'm', messages, user: 'body-user' });
    await client.chat.completions.create({ model: 'm', messages: messages.slice(0, 1) });
    const other = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-another-key' });
    await other.chat.completions.create({ model: 'm', messages, user: 'bob' });

    const [first, second, third] = await rows(3);
    assert.match(first!.api_key_id ?? '', /^key_[0-9a-f]{16}$/);
    assert.equal(second!.api_key_id, first!.api_key_id, 'same key → same id');
    assert.notEqual(third!.api_key_id, first!.api_key_id, 'another key → another id');
    assert.equal(first!.user, 'alice', 'the user header wins over the body');
    assert.equal(third!.user, 'bob', "the body's user field when no header");
    assert.deepEqual(first!.tags, { team: 'red', env: 'prod' });
    assert.deepEqual(third!.tags, {});
    assert.equal(first!.origin, 'https://app.example');
    assert.equal(third!.origin, null);
    assert.equal(first!.message_count, 3);
    assert.equal(second!.message_count, 1);
  });

  it('forwards the attribution headers upstream unchanged', () => {
    const headers = upstream.received[0]!.rawHeaders;
    const pairs = new Map<string, string>();
    for (let i = 0; i < headers.length; i += 2) pairs.set(headers[i]!.toLowerCase(), headers[i + 1]!);
    assert.equal(pairs.get('authorization'), `Bearer ${API_KEY}`);
    assert.equal(pairs.get('x-user-id'), 'alice');
    assert.equal(pairs.get('x-metrics-tag-team'), 'red');
    assert.equal(pairs.get('origin'), 'https://app.example');
  });

  it('keeps the same fingerprint after a restart (secret persisted beside the database)', async () => {
    const before = (await rows(3))[0]!.api_key_id;
    await service.close();
    service = await startService(testConfig({ upstreamUrl: upstream.url, apiKeySecret: null }, dir), pino({ level: 'silent' }));
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: API_KEY });
    await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    const all = await rows(4);
    assert.equal(all[3]!.api_key_id, before);
  });

  it('never writes the key to the database files or the logs', async () => {
    await service.recorder.flush();
    for (const name of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, name));
      assert.equal(bytes.includes(API_KEY), false, `${name} contains the key`);
      assert.equal(bytes.includes('sk-another-key'), false, `${name} contains the other key`);
    }
    assert.ok(logs.length > 0, 'trace logging produced lines');
    assert.equal(logs.join('').includes(API_KEY), false);
  });
});
