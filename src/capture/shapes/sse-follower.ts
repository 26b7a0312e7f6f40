import { SseParser, type SseEvent } from '../sse-parser.js';
import { ResponseCapture, type StreamFollower } from './response-capture.js';

/**
 * A StreamFollower for SSE bodies whose events carry one JSON object each: parses the event's
 * data and hands it to `onData` with the read's arrival time. Non-JSON data (`[DONE]`) is skipped.
 */
export class SseJsonFollower implements StreamFollower {
  private readonly parser = new SseParser((event) => this.onEvent(event));
  private arrivedAt = 0;

  constructor(
    private readonly capture: ResponseCapture,
    private readonly onData: (data: Record<string, unknown>, event: SseEvent, now: number) => void,
  ) {}

  push(chunk: Buffer, now: number): void {
    this.arrivedAt = now;
    this.parser.push(chunk);
  }

  end(): ResponseCapture {
    this.parser.end();
    return this.capture;
  }

  private onEvent(event: SseEvent): void {
    const data = event.data;
    if (data === '' || data === '[DONE]') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return; // not JSON: nothing to measure in it
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      this.onData(parsed as Record<string, unknown>, event, this.arrivedAt);
    }
  }
}
