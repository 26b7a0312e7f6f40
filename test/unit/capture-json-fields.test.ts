import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readTopLevel } from '../../src/capture/json-fields.js';

const read = (text: string, parse: string[], count: string[] = []) => readTopLevel(Buffer.from(text), { parse, count });

describe('readTopLevel', () => {
  it('returns only the wanted top-level members, parsed as JSON.parse would', () => {
    const body = { messages: [{ role: 'user', content: 'say "model": "x" \\ ok' }], model: 'llama3', stream: true, n: 2.5e3, stop: null, nested: { model: 'inner' } };
    const r = read(JSON.stringify(body, null, 2), ['model', 'stream', 'n', 'stop'], ['messages']);
    assert.ok(r);
    assert.deepEqual(Object.fromEntries(r.values), { model: 'llama3', stream: true, n: 2500, stop: null });
    assert.deepEqual(Object.fromEntries(r.counts), { messages: 1 });
  });

  it('is not fooled by wanted names inside strings or nested objects', () => {
    const r = read('{"a":"\\"model\\":\\"fake\\"","b":{"model":"nested"},"c":["model"],"model":"real"}', ['model']);
    assert.equal(r?.values.get('model'), 'real');
  });

  it('handles strings ending in escaped backslashes', () => {
    const r = read('{"p":"C:\\\\","model":"m"}', ['model']);
    assert.equal(r?.values.get('model'), 'm');
  });

  it('skips a multi-megabyte string without parsing it', () => {
    const big = 'A'.repeat(5 * 1024 * 1024);
    const r = read(`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,${big}"}}]}],"model":"vision","stream":false}`, ['model', 'stream'], ['messages']);
    assert.equal(r?.values.get('model'), 'vision');
    assert.equal(r?.values.get('stream'), false);
    assert.equal(r?.counts.get('messages'), 1);
  });

  it('matches JSON.parse on unicode escapes and multi-byte text', () => {
    const r = read('{"model":"caf\\u00e9-😀","x":"ü"}', ['model', 'x']);
    assert.equal(r?.values.get('model'), 'café-😀');
    assert.equal(r?.values.get('x'), 'ü');
  });

  it('counts array elements of every kind', () => {
    assert.equal(read('{"messages":[]}', [], ['messages'])?.counts.get('messages'), 0);
    assert.equal(read('{"messages":[1, "a,b", {"x":[1,2]}, [3], null , true]}', [], ['messages'])?.counts.get('messages'), 6);
  });

  it('returns null for anything that is not a JSON object, never throwing', () => {
    for (const text of ['', 'null', '[1]', '"x"', '{', '{"model":', '{"model":"x"', '{"a":1 "b":2}', 'multipart garbage', '\u0000\u0001']) {
      assert.equal(read(text, ['model']), null, JSON.stringify(text));
    }
  });

  it('reads an empty object and surrounding whitespace', () => {
    assert.equal(read(' \n{ } ', ['model'])?.values.size, 0);
    assert.equal(read('\t{ "model" : "m" }\n', ['model'])?.values.get('model'), 'm');
  });
});
