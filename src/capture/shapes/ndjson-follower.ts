import { ResponseCapture, type StreamFollower } from './response-capture.js';

/** Longest line kept; a longer one (a runaway object) is skipped, so memory stays bounded. */
const MAX_LINE_BYTES = 1024 * 1024;
const LF = 0x0a;

/**
 * A StreamFollower for newline-delimited JSON (Ollama's streams): one JSON object per line,
 * lines split anywhere across reads. Each object goes to `onObject` with the arrival time of the
 * read that completed its line. Hand-written: a line splitter over Buffers is a few lines, and the
 * stream libraries for NDJSON parse on the request path's event loop through stream objects.
 */
export class NdjsonFollower implements StreamFollower {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private skipping = false;

  constructor(
    private readonly capture: ResponseCapture,
    private readonly onObject: (object: Record<string, unknown>, now: number) => void,
  ) {}

  push(chunk: Buffer, now: number): void {
    let start = 0;
    for (let nl = chunk.indexOf(LF); nl !== -1; nl = chunk.indexOf(LF, start)) {
      this.take(chunk.subarray(start, nl));
      this.line(now);
      start = nl + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  end(): ResponseCapture {
    this.line(performance.now());
    return this.capture;
  }

  private take(part: Buffer): void {
    if (this.skipping) return;
    this.pendingBytes += part.length;
    if (this.pendingBytes > MAX_LINE_BYTES) {
      this.skipping = true;
      this.pending = [];
      return;
    }
    if (part.length > 0) this.pending.push(part);
  }

  private line(now: number): void {
    const parts = this.pending;
    const skipped = this.skipping;
    this.pending = [];
    this.pendingBytes = 0;
    this.skipping = false;
    if (skipped || parts.length === 0) return;
    const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString('utf8').trim();
    if (text === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) this.onObject(parsed as Record<string, unknown>, now);
  }
}
