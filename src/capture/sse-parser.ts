/**
 * Incremental Server-Sent Events parser over raw bytes (WHATWG HTML §9.2 "Parsing an event stream").
 *
 * Hand-written rather than taken from a library because it sits beside the hot pipe: it works on the
 * same Buffers the proxy forwards (no stream, no copy unless a line straddles two reads), accepts
 * LF, CRLF and CR line ends split anywhere, and only decodes the `data`/`event` lines it keeps, so a
 * multi-byte character cut between two reads is decoded whole.
 */

export interface SseEvent {
  /** The `event:` field, or undefined for the default "message" event. */
  readonly event: string | undefined;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;

export class SseParser {
  /** Bytes of a line that has not ended yet. */
  private partial: Buffer | null = null;
  /** The previous read ended with CR: a LF at the start of the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private eventName: string | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Feeds one read; calls `onEvent` for every event completed by it. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let pos = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (buf[0] === LF) pos = 1;
    }
    const hasCr = buf.includes(CR, pos);
    while (pos < buf.length) {
      let eol = buf.indexOf(LF, pos);
      if (hasCr) {
        const cr = buf.indexOf(CR, pos);
        if (cr !== -1 && (eol === -1 || cr < eol)) eol = cr;
      }
      if (eol === -1) {
        this.partial = Buffer.from(buf.subarray(pos));
        return;
      }
      this.line(buf, pos, eol);
      if (buf[eol] === CR) {
        if (eol + 1 === buf.length) this.afterCr = true;
        else if (buf[eol + 1] === LF) eol++;
      }
      pos = eol + 1;
    }
  }

  /** End of stream: a trailing line and an event without its closing blank line are still delivered. */
  end(): void {
    if (this.partial !== null) {
      const rest = this.partial;
      this.partial = null;
      this.line(rest, 0, rest.length);
    }
    this.dispatch();
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    if (buf[start] === COLON) return; // comment
    let colon = buf.indexOf(COLON, start);
    if (colon === -1 || colon > end) colon = end;
    let valueStart = colon + 1;
    if (valueStart < end && buf[valueStart] === SPACE) valueStart++;
    const nameLength = colon - start;
    if (nameLength === 4 && buf.toString('latin1', start, colon) === 'data') {
      this.data.push(valueStart > end ? '' : buf.toString('utf8', valueStart, end));
    } else if (nameLength === 5 && buf.toString('latin1', start, colon) === 'event') {
      this.eventName = valueStart > end ? '' : buf.toString('utf8', valueStart, end);
    }
    // `id` and `retry` do not matter for capture.
  }

  private dispatch(): void {
    if (this.data.length === 0) {
      this.eventName = undefined;
      return;
    }
    const data = this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n');
    const event = this.eventName;
    this.data = [];
    this.eventName = undefined;
    this.onEvent({ event, data });
  }
}
