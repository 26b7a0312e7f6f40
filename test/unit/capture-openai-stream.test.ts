import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openAiShape } from '../../src/capture/shapes/openai.js';
import type { ResponseCapture } from '../../src/capture/shapes/response-capture.js';
import { llamaCppFixture } from '../helpers/fixtures.js';

/** Feeds `bytes` in two reads (at `cut`), the first at t=100, the second at t=200. */
function capture(bytes: Buffer, cut: number): ResponseCapture {
  const follower = openAiShape.follow('text/event-stream', false)!;
  follower.push(bytes.subarray(0, cut), 100);
  follower.push(bytes.subarray(cut), 200);
  return follower.end();
}

/** The capture of one SSE event per data string, all in one read at t=100. */
function events(...data: string[]): ResponseCapture {
  return capture(Buffer.from(data.map((d) => `data: ${d}\n\n`).join('')), Infinity);
}

describe('openAiShape stream capture on llama.cpp streams', () => {
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

  it('reads llama.cpp timings from the last chunk', () => {
    const c = capture(llamaCppFixture('resp-stream-usage.txt'), 0);
    assert.ok(c.backend !== null, 'timings read');
    assert.ok((c.backend.generation_ms ?? 0) > 0 && (c.backend.tokens_per_second ?? 0) > 0);
    assert.equal(c.backend.load_ms, null);
  });
});

describe('openAiShape stream capture: what counts as generated content', () => {
  it('counts text, tool-call arguments and names, reasoning and refusals', () => {
    for (const delta of [
      { content: 'a' },
      { tool_calls: [{ index: 0, function: { arguments: '{' } }] },
      { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { reasoning_content: 'hmm' },
      { reasoning: 'hmm' },
      { refusal: 'no' },
    ]) {
      assert.equal(events(JSON.stringify({ choices: [{ index: 0, delta }] })).firstContentAt, 100, JSON.stringify(delta));
    }
    assert.equal(events('{"choices":[{"text":"x","index":0}]}').firstContentAt, 100);
  });

  it('does not count the role-only first chunk, empty deltas or empty strings', () => {
    for (const choice of [
      { delta: { role: 'assistant', content: null } },
      { delta: { role: 'assistant', content: '' } },
      { delta: {} },
      { text: '', finish_reason: 'length' },
      { delta: { tool_calls: [] } },
      null,
    ]) {
      assert.equal(events(JSON.stringify({ choices: [choice] })).firstContentAt, null, JSON.stringify(choice));
    }
  });

  it('counts tool calls once each across their fragments, per choice', () => {
    const c = events(
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":""}}]}}]}',
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}}]}',
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{}"}}]}}]}',
      '{"choices":[{"index":1,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{}"}}]}}]}',
      '{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"},{"index":1,"delta":{},"finish_reason":"tool_calls"}]}',
    );
    assert.equal(c.toolCalls, 3);
    assert.equal(c.finishReason, 'tool_calls');
  });

  it('records every choice of n > 1: distinct finish reasons in choice order', () => {
    const c = events(
      '{"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"}}]}',
      '{"choices":[{"index":1,"delta":{},"finish_reason":"length"}]}',
      '{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}',
    );
    assert.equal(c.finishReason, 'stop,length');
    assert.equal(c.firstContentAt, 100);
  });
});
