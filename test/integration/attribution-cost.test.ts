import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { chatCompletion } from '../helpers/chunks.js';
import { runCli } from '../helpers/child-service.js';
import { sendJson, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestService, type TestService } from '../helpers/service.js';

describe('cost: price table applied to recorded requests and summed by the stats API', () => {
  let upstream: FakeUpstream;
  let service: TestService;

  before(async () => {
    upstream = await startFakeUpstream((_req, res, body) => {
      const model = (JSON.parse(body.toString()) as { model: string }).model;
      const reply = chatCompletion('ok', 1_000, 500, model);
      (reply.usage as Record<string, unknown>).prompt_tokens_details = { cached_tokens: 400 };
      sendJson(res, 200, reply);
    });
    const pricesFile = join(process.env.TMPDIR ?? '/tmp', `lmp-prices-${process.pid}.yaml`);
    writeFileSync(pricesFile, 'models:\n  gpt-4o-mini*: { input: 0.15, output: 0.60, cached_input: 0.075 }\n');
    service = await startTestService({ upstreamUrl: upstream.url, pricesFile });
  });

  after(async () => {
    await service.dispose();
    await upstream.close();
  });

  it('prices uncached input, cached input and output; unpriced models cost null, not 0', async () => {
    const client = new OpenAI({ baseURL: `${service.proxyUrl}/v1`, apiKey: 'sk-x' });
    await client.chat.completions.create({ model: 'gpt-4o-mini-2024-07-18', messages: [{ role: 'user', content: 'a' }] });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'b' }] });
    await client.chat.completions.create({ model: 'llama3.1:8b', messages: [{ role: 'user', content: 'c' }] });
    const [a, b, local] = await service.rows(3);
    const expected = (600 * 0.15 + 400 * 0.075 + 500 * 0.6) / 1e6;
    assert.equal(a!.cost_usd, expected);
    assert.equal(b!.cost_usd, expected);
    assert.equal(a!.cached_input_tokens, 400);
    assert.equal(local!.cost_usd, null);

    const summary = (await (await fetch(`${service.adminUrl}/stats/summary`)).json()) as { cost_usd: number; priced_requests: number };
    assert.equal(summary.priced_requests, 2);
    assert.ok(Math.abs(summary.cost_usd - 2 * expected) < 1e-12, `summary cost ${summary.cost_usd}`);
    const byModel = (await (await fetch(`${service.adminUrl}/stats/by-model`)).json()) as { models: Array<{ model: string; cost_usd: number; priced_requests: number }> };
    const llama = byModel.models.find((m) => m.model === 'llama3.1:8b');
    assert.deepEqual({ cost: llama?.cost_usd, priced: llama?.priced_requests }, { cost: 0, priced: 0 });
  });

  it('refuses to start with a broken price file: exit 2 naming PRICES_FILE', async () => {
    const bad = join(process.env.TMPDIR ?? '/tmp', `lmp-bad-prices-${process.pid}.yaml`);
    writeFileSync(bad, 'models:\n  m: { input: -1, output: 1 }\n');
    const result = await runCli(['--port', '0', '--admin-port', '0', '--prices-file', bad]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /PRICES_FILE: .*models\.m\.input/);
  });
});
