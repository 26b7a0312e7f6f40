import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readErrorMessage, readUsage } from '../../src/capture/usage.js';

describe('readUsage', () => {
  it('reads chat/completions usage', () => {
    assert.deepEqual(readUsage({ prompt_tokens: 26, completion_tokens: 16, total_tokens: 42 }), { input_tokens: 26, output_tokens: 16, total_tokens: 42, cached_input_tokens: null, reasoning_tokens: null });
  });
  it('reads embeddings usage (no completion tokens) as zero output', () => {
    assert.deepEqual(readUsage({ prompt_tokens: 8, total_tokens: 8 }), { input_tokens: 8, output_tokens: 0, total_tokens: 8, cached_input_tokens: null, reasoning_tokens: null });
  });
  it('reads the input_tokens/output_tokens spelling and derives a missing total', () => {
    assert.deepEqual(readUsage({ input_tokens: 5, output_tokens: 7 }), { input_tokens: 5, output_tokens: 7, total_tokens: 12, cached_input_tokens: null, reasoning_tokens: null });
  });
  it('returns null when no usable count is present', () => {
    for (const u of [null, undefined, 'x', 3, {}, { prompt_tokens: -1 }, { prompt_tokens: 1.5 }, { prompt_tokens: '3' }, { output_tokens: 5 }, { completion_tokens: 3, total_tokens: 3 }]) {
      assert.equal(readUsage(u), null, JSON.stringify(u));
    }
  });
});

describe('readErrorMessage', () => {
  it('reads OpenAI-style and plain error messages', () => {
    assert.equal(readErrorMessage({ message: 'too long', type: 'exceed_context_size_error' }), 'too long');
    assert.equal(readErrorMessage('boom'), 'boom');
    assert.equal(readErrorMessage({ code: 1 }), '{"code":1}');
    assert.equal(readErrorMessage(undefined), null);
  });
});

describe('readUsage token details', () => {
  it('reads cached and reasoning tokens in the chat/completions spelling', () => {
    assert.deepEqual(
      readUsage({ prompt_tokens: 26, completion_tokens: 40, total_tokens: 66, prompt_tokens_details: { cached_tokens: 25 }, completion_tokens_details: { reasoning_tokens: 30 } }),
      { input_tokens: 26, output_tokens: 40, total_tokens: 66, cached_input_tokens: 25, reasoning_tokens: 30 },
    );
  });
  it('reads them in the Responses API spelling', () => {
    assert.deepEqual(
      readUsage({ input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 2 } }),
      { input_tokens: 10, output_tokens: 5, total_tokens: 15, cached_input_tokens: 4, reasoning_tokens: 2 },
    );
  });
});
