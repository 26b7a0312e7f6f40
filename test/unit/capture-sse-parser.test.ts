import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, type SseEvent } from '../../src/capture/sse-parser.js';
import { llamaCppFixture } from '../helpers/fixtures.js';

function parseInPieces(bytes: Buffer, cuts: number[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    parser.push(bytes.subarray(start, cut));
    start = cut;
  }
  parser.end();
  return events;
}

describe('SseParser', () => {
  for (const name of ['resp-stream-usage.txt', 'resp-stream-nousage.txt']) {
    it(`yields the same events from llama.cpp's ${name} split at every byte boundary`, () => {
      const bytes = llamaCppFixture(name);
      const whole = parseInPieces(bytes, []);
      assert.equal(whole.at(-1)?.data, '[DONE]');
      assert.equal(whole.length, name === 'resp-stream-usage.txt' ? 9 : 6);
      for (const e of whole.slice(0, -1)) assert.doesNotThrow(() => JSON.parse(e.data));
      for (let cut = 1; cut < bytes.length; cut++) {
        assert.deepEqual(parseInPieces(bytes, [cut]), whole, `cut at ${cut}`);
      }
    });
  }

  it('yields the same events when every byte arrives alone', () => {
    const bytes = llamaCppFixture('resp-stream-usage.txt');
    const cuts = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(parseInPieces(bytes, cuts), parseInPieces(bytes, []));
  });

  it('accepts CRLF and lone CR line ends, including CRLF split across reads', () => {
    const text = 'data: a\r\n\r\ndata: b\r\rdata: c\n\n';
    const bytes = Buffer.from(text);
    const expected = [{ event: undefined, data: 'a' }, { event: undefined, data: 'b' }, { event: undefined, data: 'c' }];
    for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(parseInPieces(bytes, [cut]), expected, `cut at ${cut}`);
  });

  it('decodes a multi-byte character split between two reads', () => {
    const bytes = Buffer.from('data: {"t":"é😀"}\n\n');
    const at = bytes.indexOf(0xf0) + 2; // inside the 4-byte emoji
    assert.deepEqual(parseInPieces(bytes, [at]), [{ event: undefined, data: '{"t":"é😀"}' }]);
  });

  it('joins multi-line data, keeps event names, skips comments, id and retry', () => {
    const events = parseInPieces(Buffer.from(': keep-alive\nid: 7\nretry: 10\nevent: message_delta\ndata: one\ndata:two\n\n'), []);
    assert.deepEqual(events, [{ event: 'message_delta', data: 'one\ntwo' }]);
  });

  it('delivers a last event that lacks its closing blank line at end of stream', () => {
    assert.deepEqual(parseInPieces(Buffer.from('data: x\n\ndata: tail'), []), [
      { event: undefined, data: 'x' },
      { event: undefined, data: 'tail' },
    ]);
  });

  it('ignores blank lines that close no event', () => {
    assert.deepEqual(parseInPieces(Buffer.from('\n\n\ndata: x\n\n\n\n'), []), [{ event: undefined, data: 'x' }]);
  });
});

describe('SseParser with over-long lines', () => {
  it('skips an event whose line exceeds MAX_LINE_BYTES and keeps parsing after it', async () => {
    const { MAX_LINE_BYTES } = await import('../../src/capture/sse-parser.js');
    const huge = 'x'.repeat(MAX_LINE_BYTES + 10);
    const bytes = Buffer.from(`data: before\n\nevent: big\ndata: ${huge}\ndata: tail\n\ndata: after\n\n`);
    const cuts = [];
    for (let at = 16 * 1024; at < bytes.length; at += 16 * 1024) cuts.push(at);
    assert.deepEqual(parseInPieces(bytes, cuts), [
      { event: undefined, data: 'before' },
      { event: undefined, data: 'after' },
    ]);
  });

  it('assembles a long line (under the limit) split over many reads', () => {
    const long = 'y'.repeat(300_000);
    const bytes = Buffer.from(`data: ${long}\n\n`);
    const cuts = [];
    for (let at = 1000; at < bytes.length; at += 1000) cuts.push(at);
    assert.deepEqual(parseInPieces(bytes, cuts), [{ event: undefined, data: long }]);
  });
});
