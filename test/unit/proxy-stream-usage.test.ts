import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { injectIncludeUsage, UsageStripper } from '../../src/proxy/stream-usage.js';

/** OpenAI-style events with `"usage":null` on each chunk and a usage-only chunk, with CRLF or LF line ends. */
function stream(withUsage: boolean, eol: string): string {
  const usage = withUsage ? ',"usage":null' : '';
  return [
    `data: {"id":"1","choices":[{"index":0,"delta":{"content":"a \\"usage\\": b"}}]${usage}}`,
    `data: {${withUsage ? '"usage":null,' : ''}"id":"1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
    ...(withUsage ? ['data: {"id":"1","choices":[ ],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}'] : []),
    ': a comment line mentioning "usage"',
    'data: [DONE]',
  ].map((line) => `${line}${eol}${eol}`).join('');
}

describe('UsageStripper', () => {
  for (const eol of ['\n', '\r\n']) {
    it(`removes injected usage identically at every split of the body (${JSON.stringify(eol)} line ends)`, () => {
      const input = Buffer.from(stream(true, eol));
      const expected = stream(false, eol);
      for (let cut = 0; cut <= input.length; cut++) {
        const s = new UsageStripper();
        const out = Buffer.concat([s.push(input.subarray(0, cut)), s.push(input.subarray(cut)), s.end()]).toString();
        assert.equal(out, expected, `cut ${cut}`);
      }
    });
  }

  it('forwards complete events at once and holds back only an unfinished one', () => {
    const s = new UsageStripper();
    assert.equal(s.push(Buffer.from('data: {"a":1}\n\ndata: {"b"')).toString(), 'data: {"a":1}\n\n');
    assert.equal(s.push(Buffer.from(':2}\n\n')).toString(), 'data: {"b":2}\n\n');
    assert.equal(s.push(Buffer.from('data: unterminated')).length, 0);
    assert.equal(s.end().toString(), 'data: unterminated');
  });
});

describe('injectIncludeUsage', () => {
  it('appends stream_options inside the object, leaving every other byte as sent', () => {
    assert.equal(
      injectIncludeUsage(Buffer.from('{ "stream" : true,\n  "model":"m" }\n'))?.toString(),
      '{ "stream" : true,\n  "model":"m" ,"stream_options":{"include_usage":true}}\n',
    );
  });

  it('leaves bodies alone that do not stream, already ask, are not JSON objects or carry invalid stream_options', () => {
    for (const body of ['{"stream":false}', '{"model":"m"}', '{"stream":true,"stream_options":{"include_usage":true}}', '[1]', 'not json', '{"stream":true,"stream_options":"x"}', '']) {
      assert.equal(injectIncludeUsage(Buffer.from(body)), null, body);
    }
    assert.equal(injectIncludeUsage(null), null);
  });

  it('sets include_usage true when the client set it false', () => {
    const out = injectIncludeUsage(Buffer.from('{"stream":true,"stream_options":{"include_usage":false}}'));
    assert.deepEqual(JSON.parse(out?.toString() ?? ''), { stream: true, stream_options: { include_usage: true } });
  });
});
