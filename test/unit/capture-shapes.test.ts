/**
 * Every API shape against its fixtures (test/fixtures/shapes, README.md there): usage, finish
 * reason, errors, tool calls and backend timings, and — split into two reads at every byte
 * boundary — the same usage and the time of the first generated content.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicShape } from '../../src/capture/shapes/anthropic.js';
import { ollamaShape } from '../../src/capture/shapes/ollama.js';
import { type ApiShape, ResponseCapture } from '../../src/capture/shapes/response-capture.js';
import { responsesShape } from '../../src/capture/shapes/responses.js';
import { readTopLevel } from '../../src/capture/json-fields.js';
import { shapeFixture } from '../helpers/fixtures.js';

const SSE = 'text/event-stream; charset=utf-8';
const NDJSON = 'application/x-ndjson';

interface Expected {
  usage: { input_tokens: number; output_tokens: number; total_tokens: number; cached_input_tokens: number | null; reasoning_tokens: number | null } | null;
  model: string | null;
  finish: string | null;
  error?: string | RegExp;
  toolCalls?: number | null;
  cacheCreation?: number | null;
}

function usage(input: number, output: number, cached: number | null = null, reasoning: number | null = null): Expected['usage'] {
  return { input_tokens: input, output_tokens: output, total_tokens: input + output, cached_input_tokens: cached, reasoning_tokens: reasoning };
}

interface StreamCase extends Expected {
  file: string;
  shape: ApiShape;
  contentType: string;
  /** 0-based index of the first event (SSE) or line (NDJSON) carrying generated content. */
  firstContent: number;
}

const STREAMS: StreamCase[] = [
  { file: 'responses-stream.txt', shape: responsesShape, contentType: SSE, firstContent: 4, usage: usage(1317, 10, 1152, 0), model: 'gpt-4.1-mini-2025-04-14', finish: 'completed', toolCalls: null },
  { file: 'responses-stream-reasoning-tool.txt', shape: responsesShape, contentType: SSE, firstContent: 4, usage: usage(81, 219, 0, 192), model: 'gpt-5-mini-2025-08-07', finish: 'completed', toolCalls: 1 },
  { file: 'responses-stream-failed.txt', shape: responsesShape, contentType: SSE, firstContent: 4, usage: null, model: 'gpt-4.1-mini-2025-04-14', finish: 'failed', error: /^An error occurred while processing your request/ },
  { file: 'responses-stream-incomplete.txt', shape: responsesShape, contentType: SSE, firstContent: 4, usage: usage(13, 16, 0, 0), model: 'gpt-4.1-mini-2025-04-14', finish: 'max_output_tokens' },
  { file: 'anthropic-stream.txt', shape: anthropicShape, contentType: SSE, firstContent: 3, usage: usage(9 + 412 + 2806, 17, 2806), cacheCreation: 412, model: 'claude-sonnet-4-5-20250929', finish: 'end_turn', toolCalls: null },
  { file: 'anthropic-stream-thinking-tool.txt', shape: anthropicShape, contentType: SSE, firstContent: 2, usage: usage(27 + 0 + 1580, 131, 1580), cacheCreation: 0, model: 'claude-sonnet-4-5-20250929', finish: 'tool_use', toolCalls: 1 },
  { file: 'anthropic-stream-error.txt', shape: anthropicShape, contentType: SSE, firstContent: 3, usage: usage(412, 1, 0), model: 'claude-sonnet-4-5-20250929', finish: null, error: 'Overloaded' },
  { file: 'ollama-chat-stream.ndjson', shape: ollamaShape, contentType: NDJSON, firstContent: 0, usage: usage(36, 11), model: 'llama3.2', finish: 'stop', toolCalls: null },
  { file: 'ollama-chat-thinking-tool.ndjson', shape: ollamaShape, contentType: NDJSON, firstContent: 0, usage: usage(163, 34), model: 'qwen3:8b', finish: 'stop', toolCalls: 1 },
  { file: 'ollama-generate-stream.ndjson', shape: ollamaShape, contentType: NDJSON, firstContent: 0, usage: usage(27, 13), model: 'qwen2.5vl:7b', finish: 'stop' },
  { file: 'ollama-stream-error.ndjson', shape: ollamaShape, contentType: NDJSON, firstContent: 0, usage: null, model: 'llama3.2', finish: null, error: 'an error was encountered while running the model: unexpected EOF' },
];

/** Offset just past the n-th event (SSE: blank-line separated) or line (NDJSON). */
function endOfUnit(bytes: Buffer, n: number, contentType: string): number {
  const separator = contentType === NDJSON ? '\n' : '\n\n';
  let end = 0;
  for (let i = 0; i <= n; i++) end = bytes.indexOf(separator, end) + separator.length;
  return end;
}

function follow(c: StreamCase, bytes: Buffer, cut: number): ResponseCapture {
  const follower = c.shape.follow(c.contentType, false);
  assert.ok(follower !== null, `${c.file}: followed`);
  follower.push(bytes.subarray(0, cut), 100);
  follower.push(bytes.subarray(cut), 200);
  return follower.end();
}

function check(c: Expected, got: ResponseCapture, where: string): void {
  assert.deepEqual(got.usage, c.usage, `${where}: usage`);
  assert.equal(got.responseModel, c.model, `${where}: model`);
  assert.equal(got.finishReason, c.finish, `${where}: finish reason`);
  if (c.error === undefined) assert.equal(got.errorMessage, null, `${where}: no error`);
  else if (typeof c.error === 'string') assert.equal(got.errorMessage, c.error, `${where}: error`);
  else assert.match(got.errorMessage ?? '', c.error, `${where}: error`);
  if (c.toolCalls !== undefined) assert.equal(got.toolCalls, c.toolCalls, `${where}: tool calls`);
  if (c.cacheCreation !== undefined) assert.equal(got.cacheCreationTokens, c.cacheCreation, `${where}: cache writes`);
}

describe('API shapes: streams split into two reads at every byte boundary', () => {
  for (const c of STREAMS) {
    it(`${c.file}: same usage and outcome at every split; first content when its event completes`, () => {
      const bytes = shapeFixture(c.file);
      const firstContentEnd = endOfUnit(bytes, c.firstContent, c.contentType);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const got = follow(c, bytes, cut);
        check(c, got, `${c.file} cut ${cut}`);
        assert.equal(got.firstContentAt, cut >= firstContentEnd ? 100 : 200, `${c.file} cut ${cut}: first content`);
      }
    });
  }

  it('does not follow bodies of another content type (a JSON error body goes to readBody)', () => {
    assert.equal(anthropicShape.follow('application/json', false), null);
    assert.equal(responsesShape.follow('application/json', false), null);
    assert.equal(ollamaShape.follow('application/json; charset=utf-8', false), null);
  });

  it('collects the generated text only when asked (for estimates)', () => {
    const c = STREAMS[0]!;
    const follower = c.shape.follow(c.contentType, true)!;
    follower.push(shapeFixture(c.file), 1);
    assert.equal(follower.end().text?.join(''), 'Hello! How can I help you today?');
  });
});

describe('API shapes: Ollama backend timings', () => {
  it('reads nanosecond durations as ms and derives the backend speed from eval_count', () => {
    const c = STREAMS.find((s) => s.file === 'ollama-chat-stream.ndjson')!;
    const got = follow(c, shapeFixture(c.file), 0);
    assert.deepEqual(got.backend, {
      prompt_ms: 24.517311, generation_ms: 126.869793, load_ms: 18.954703, total_ms: 171.075919,
      tokens_per_second: 11 / (126.869793 / 1000),
    });
  });
});

interface BodyCase extends Expected {
  file: string;
  shape: ApiShape;
  backend?: Record<string, number | null> | null;
}

const BODIES: BodyCase[] = [
  { file: 'responses-nonstream.json', shape: responsesShape, usage: usage(1843, 274, 1664, 192), model: 'gpt-5-mini-2025-08-07', finish: 'completed', toolCalls: null },
  { file: 'anthropic-nonstream.json', shape: anthropicShape, usage: usage(12 + 1536 + 4096, 58, 4096), cacheCreation: 1536, model: 'claude-sonnet-4-5-20250929', finish: 'end_turn', toolCalls: null },
  { file: 'anthropic-error.json', shape: anthropicShape, usage: null, model: null, finish: null, error: 'prompt is too long: 208451 tokens > 200000 maximum' },
  { file: 'ollama-chat-nonstream.json', shape: ollamaShape, usage: usage(36, 11), model: 'llama3.2', finish: 'stop', backend: { prompt_ms: 23.880542, generation_ms: 134.27717, load_ms: 17.722416, total_ms: 176.682505, tokens_per_second: 11 / 0.13427717 } },
  { file: 'ollama-generate-nonstream.json', shape: ollamaShape, usage: usage(27, 13), model: 'qwen2.5vl:7b', finish: 'stop' },
  { file: 'ollama-embed.json', shape: ollamaShape, usage: usage(8, 0), model: 'all-minilm', finish: null, backend: { prompt_ms: null, generation_ms: null, load_ms: 2.215959, total_ms: 18.273541, tokens_per_second: null } },
  { file: 'ollama-embeddings-legacy.json', shape: ollamaShape, usage: null, model: null, finish: null, backend: null },
];

describe('API shapes: non-streamed bodies', () => {
  for (const c of BODIES) {
    it(`${c.file}`, () => {
      const fields = readTopLevel(shapeFixture(c.file), { parse: c.shape.bodyMembers });
      assert.ok(fields !== null);
      const got = new ResponseCapture();
      c.shape.readBody(fields.values, got);
      check(c, got, c.file);
      if (c.backend !== undefined) {
        if (c.backend === null) assert.equal(got.backend, null);
        else for (const [k, v] of Object.entries(c.backend)) assert.equal(got.backend?.[k as keyof typeof got.backend], v, `${c.file}: backend ${k}`);
      }
      assert.equal(got.firstContentAt, null);
    });
  }
});
