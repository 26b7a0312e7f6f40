/**
 * How close STREAM_USAGE=estimate's output-token count comes to the usage backends reported, on
 * every recorded stream that reports it (not a test: prints a table for docs/metrics.md).
 *
 *   npx tsx bench/estimate-accuracy.mts
 */
import { shapeOf } from '../src/capture/shapes/index.js';
import { loadTokenCounter } from '../src/capture/token-estimate.js';
import { llamaCppFixture, shapeFixture } from '../test/helpers/fixtures.js';

const CASES: Array<[file: string, endpoint: string, contentType: string, bytes: Buffer]> = [
  ['llama-cpp/resp-stream-usage.txt', '/v1/chat/completions', 'text/event-stream', llamaCppFixture('resp-stream-usage.txt')],
  ...[
    ['responses-stream.txt', '/v1/responses'],
    ['responses-stream-incomplete.txt', '/v1/responses'],
    ['responses-stream-reasoning-tool.txt', '/v1/responses'],
    ['anthropic-stream.txt', '/v1/messages'],
    ['anthropic-stream-thinking-tool.txt', '/v1/messages'],
    ['ollama-chat-stream.ndjson', '/api/chat'],
    ['ollama-chat-thinking-tool.ndjson', '/api/chat'],
    ['ollama-generate-stream.ndjson', '/api/generate'],
  ].map(([file, endpoint]) => [file!, endpoint!, file!.endsWith('.ndjson') ? 'application/x-ndjson' : 'text/event-stream', shapeFixture(file!)] as [string, string, string, Buffer]),
];

const counter = await loadTokenCounter();
console.log('| Recorded stream | Reported output tokens | Estimated (o200k_base) | Error |');
console.log('|---|---|---|---|');
let absolute = 0;
let reportedTotal = 0;
for (const [file, endpoint, contentType, bytes] of CASES) {
  const follower = shapeOf(endpoint)!.follow(contentType, true)!;
  follower.push(bytes, 0);
  const capture = follower.end();
  const reported = capture.usage?.output_tokens ?? 0;
  const estimated = counter.count(capture.text?.join('') ?? '');
  absolute += Math.abs(estimated - reported);
  reportedTotal += reported;
  const error = reported === 0 ? 'n/a' : `${(((estimated - reported) / reported) * 100).toFixed(0)} %`;
  console.log(`| ${file} | ${reported} | ${estimated} | ${error} |`);
}
console.log(`\nSum of absolute errors: ${absolute} of ${reportedTotal} reported tokens (${((absolute / reportedTotal) * 100).toFixed(0)} %).`);
