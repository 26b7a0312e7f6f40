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

/**
 * Longest line kept (a `data:` line of one event). A longer one — a base64 image in a stream, a
 * runaway tool call — is skipped with its whole event, so memory stays bounded and a partial
 * line is never re-scanned: each byte is looked at once.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

export class SseParser {
  /** Pieces of a line that has not ended yet (copies: they outlive the read they came in). */
  private partial: Buffer[] = [];
  private partialLength = 0;
  /** Inside a line longer than MAX_LINE_BYTES: skip to its end. */
  private skippingLine = false;
  /** The current event lost a line: do not dispatch it. */
  private eventBroken = false;
  /** The previous read ended with CR: a LF at the start of the next one belongs to it. */
  private afterCr = false;
  private data: string[] = [];
  private eventName: string | undefined;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  /** Feeds one read; calls `onEvent` for every event completed by it. */
  push(chunk: Buffer): void {
    let pos = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (chunk[0] === LF) pos = 1;
    }
    const hasCr = chunk.includes(CR, pos);
    while (pos < chunk.length) {
      let eol = chunk.indexOf(LF, pos);
      if (hasCr) {
        const cr = chunk.indexOf(CR, pos);
        if (cr !== -1 && (eol === -1 || cr < eol)) eol = cr;
      }
      if (eol === -1) {
        this.keepPartial(chunk.subarray(pos));
        return;
      }
      if (this.skippingLine) {
        this.skippingLine = false;
      } else if (this.partialLength > 0) {
        if (this.partialLength + (eol - pos) > MAX_LINE_BYTES) this.eventBroken = true;
        else {
          const line = Buffer.concat([...this.partial, chunk.subarray(pos, eol)]);
          this.line(line, 0, line.length);
        }
        this.partial = [];
        this.partialLength = 0;
      } else {
        this.line(chunk, pos, eol);
      }
      if (chunk[eol] === CR) {
        if (eol + 1 === chunk.length) this.afterCr = true;
        else if (chunk[eol + 1] === LF) eol++;
      }
      pos = eol + 1;
    }
  }

  /** End of stream: a trailing line and an event without its closing blank line are still delivered. */
  end(): void {
    if (this.partialLength > 0 && !this.skippingLine) {
      const rest = Buffer.concat(this.partial);
      this.line(rest, 0, rest.length);
    }
    this.partial = [];
    this.partialLength = 0;
    this.skippingLine = false;
    this.dispatch();
  }

  private keepPartial(bytes: Buffer): void {
    if (this.skippingLine) return;
    this.partialLength += bytes.length;
    if (this.partialLength > MAX_LINE_BYTES) {
      this.partial = [];
      this.partialLength = 0;
      this.skippingLine = true;
      this.eventBroken = true;
      return;
    }
    this.partial.push(Buffer.from(bytes));
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
    if (this.data.length === 0 || this.eventBroken) {
      this.data = [];
      this.eventName = undefined;
      this.eventBroken = false;
      return;
    }
    const data = this.data.length === 1 ? (this.data[0] as string) : this.data.join('\n');
    const event = this.eventName;
    this.data = [];
    this.eventName = undefined;
    this.onEvent({ event, data });
  }
}
