import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PriceTable, PriceTableError } from '../../src/pricing/price-table.js';

const dir = mkdtempSync(join(tmpdir(), 'lmp-prices-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('PriceTable', () => {
  const table = new PriceTable({
    'gpt-4o-mini*': { input: 0.15, output: 0.6, cached_input: 0.075 },
    'gpt-4o*': { input: 2.5, output: 10 },
    'gpt-4o': { input: 5, output: 15 },
    '*llama*': { input: 0.01, output: 0.02 },
  });

  it('prefers an exact name, then the first matching glob in file order', () => {
    assert.equal(table.priceFor('gpt-4o')?.input, 5);
    assert.equal(table.priceFor('gpt-4o-2024-08-06')?.input, 2.5);
    assert.equal(table.priceFor('gpt-4o-mini-2024-07-18')?.input, 0.15);
    assert.equal(table.priceFor('meta-llama/Llama-3.1-8B')?.output, 0.02, '* matches across /');
    assert.equal(table.priceFor('qwen2.5'), null);
  });

  it('prices uncached input, cached input and output separately (USD per 1M tokens)', () => {
    const cost = table.cost('gpt-4o-mini', null, { input_tokens: 1_000_000, output_tokens: 500_000, cached_input_tokens: 400_000 });
    assert.equal(cost, (600_000 * 0.15 + 400_000 * 0.075 + 500_000 * 0.6) / 1_000_000);
  });

  it('charges cached input at the input price when no cached price is given', () => {
    assert.equal(table.cost('gpt-4o-2024', null, { input_tokens: 2000, output_tokens: 1000, cached_input_tokens: 1000 }), (2000 * 2.5 + 1000 * 10) / 1e6);
  });

  it('falls back to the response model, and is null without a price or without usage', () => {
    assert.equal(table.cost('my-alias', 'gpt-4o', { input_tokens: 1e6, output_tokens: 0, cached_input_tokens: null }), 5);
    assert.equal(table.cost('qwen', 'qwen', { input_tokens: 10, output_tokens: 10, cached_input_tokens: null }), null);
    assert.equal(table.cost('gpt-4o', null, { input_tokens: null, output_tokens: null, cached_input_tokens: null }), null);
  });

  it('loads JSON and YAML files of the same shape', () => {
    const json = PriceTable.load(file('p.json', JSON.stringify({ models: { m: { input: 1, output: 2 } } })));
    const yaml = PriceTable.load(file('p.yaml', 'models:\n  m: { input: 1, output: 2 }\n'));
    assert.deepEqual(json.priceFor('m'), { input: 1, output: 2, cached_input: 1 });
    assert.deepEqual(yaml.priceFor('m'), { input: 1, output: 2, cached_input: 1 });
  });

  it('loads the shipped example file', () => {
    const example = PriceTable.load(join(import.meta.dirname, '..', '..', 'prices.example.yaml'));
    assert.equal(example.priceFor('gpt-4o-mini-2024-07-18')?.input, 0.15);
  });

  it('rejects bad files with a message saying what is wrong', () => {
    assert.throws(() => PriceTable.load(join(dir, 'missing.yaml')), (err: unknown) => err instanceof PriceTableError && /cannot read/.test(err.message));
    assert.throws(() => PriceTable.load(file('bad.json', '{')), /is not valid JSON/);
    assert.throws(() => PriceTable.load(file('neg.yaml', 'models:\n  m: { input: -1, output: 2 }\n')), /models\.m\.input/);
    assert.throws(() => PriceTable.load(file('typo.yaml', 'models:\n  m: { input: 1, ouput: 2 }\n')), /models\.m/);
    assert.throws(() => PriceTable.load(file('shape.yaml', '- a\n- b\n')), /expected \{"models"/);
  });
});
