import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiStreamCapture } from '../../src/capture/openai-stream.js';
import { llamaCppFixture } from '../helpers/fixtures.js';

/** Feeds `bytes` in two reads (at `cut`), the first at t=100, the second at t=200. */
function capture(bytes: Buffer, cut: number): OpenAiStreamCapture {
  const c = new OpenAiStreamCapture();
  c.push(bytes.subarray(0, cut), 100);
  c.push(bytes.subarray(cut), 200);
  c.end();
  return c;
}

describe('OpenAiStreamCapture on llama.cpp streams', () => {
  it('reads usage, model and finish reason identically at every split point', () => {
    const bytes = llamaCppFixture('resp-stream-usage.txt');
    const firstContent = bytes.indexOf('" says"');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const c = capture(bytes, cut);
      assert.deepEqual(c.usage, { input_tokens: 26, output_tokens: 5, total_tokens: 31, cached_input_tokens: 25, reasoning_tokens: null }, `cut ${cut}`);
      assert.equal(c.responseModel, 'tiny-random');
      assert.equal(c.finishReason, 'length');
      assert.equal(c.errorMessage, null);
      // The first content event completes in the first read only if the cut is past its end.
      const firstEventEnd = bytes.indexOf('\n\n', firstContent) + 2;
      assert.equal(c.firstContentAt, cut >= firstEventEnd ? 100 : 200, `cut ${cut}`);
    }
  });

  it('records no usage for a stream that carries none, and never counts the role chunk as content', () => {
    const bytes = llamaCppFixture('resp-stream-nousage.txt');
    const roleEnd = bytes.indexOf('\n\n') + 2;
    const c = capture(bytes, roleEnd);
    assert.equal(c.usage, null);
    assert.equal(c.firstContentAt, 200);
    assert.equal(c.finishReason, 'length');
  });

  it('reads usage carried on the last choice chunk (llama.cpp /v1/completions)', () => {
    const stream = [
      '{"choices":[{"text":" Hi","index":0,"logprobs":null,"finish_reason":null}],"model":"tiny-random","object":"text_completion"}',
      '{"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"}],"model":"tiny-random","object":"text_completion","usage":{"completion_tokens":4,"prompt_tokens":3,"total_tokens":7},"timings":{"predicted_n":4}}',
    ].map((d) => `data: ${d}\n\n`).join('') + 'data: [DONE]\n\n';
    const c = capture(Buffer.from(stream), 10);
    assert.deepEqual(c.usage, { input_tokens: 3, output_tokens: 4, total_tokens: 7, cached_input_tokens: null, reasoning_tokens: null });
    assert.equal(c.finishReason, 'length');
    assert.equal(c.firstContentAt, 200);
    assert.equal(c.lastContentAt, 200);
  });

  it('keeps the message of an in-stream error event', () => {
    const c = capture(Buffer.from('data: {"error":{"message":"model crashed","type":"server_error"}}\n\n'), 0);
    assert.equal(c.errorMessage, 'model crashed');
  });

  it('ignores events that are not JSON', () => {
    const c = capture(Buffer.from('data: hello\n\ndata: {"choices":[{"delta":{"content":"x"}}]}\n\n'), 0);
    assert.equal(c.firstContentAt, 200);
  });
});
