import type { ErrorType, RequestRecord } from '../store/types.js';
import { createBodyTap, type BodyTap } from './body-tap.js';
import { readTopLevel } from './json-fields.js';
import { OpenAiStreamCapture } from './openai-stream.js';
import { readErrorMessage, readFinishReason, readUsage, type TokenUsage } from './usage.js';

/** Endpoints whose non-streamed bodies carry token usage (OpenAI API reference). */
const USAGE_ENDPOINTS = new Set(['/v1/chat/completions', '/v1/completions', '/v1/embeddings']);
/** Bodies kept for usage are capped: past this, usage stays unknown rather than memory growing. */
const MAX_USAGE_BODY_BYTES = 64 * 1024 * 1024;
/** Error bodies are kept only far enough to read their message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_ERROR_MESSAGE_CHARS = 500;

/** How the exchange ended, as the proxy saw it. */
export interface ExchangeOutcome {
  /** Status sent to the client, or null when no response was started. */
  readonly statusCode: number | null;
  /** A transport-level failure; null when the exchange completed. */
  readonly errorType: ErrorType | null;
  readonly errorMessage: string | null;
  /** performance.now() when the last byte was handed to the client (or the exchange ended). */
  readonly endedAt: number;
}

/**
 * Everything capture learns about one request/response pair. The proxy hands it references to the
 * chunks it forwards (no copies) and their arrival times; all parsing that is not needed for timing
 * happens in `finish`, after the client has its last byte.
 */
export class ExchangeCapture {
  private readonly requestChunks: Buffer[] = [];
  private responseChunks: Buffer[] | null = null;
  private responseBytes = 0;
  private responseLimit = 0;
  private stream: OpenAiStreamCapture | null = null;
  private tap: BodyTap | null = null;
  private statusCode: number | null = null;

  constructor(
    private readonly method: string,
    private readonly endpoint: string,
    /** Date.now() when the request arrived. */
    private readonly startTime: number,
    /** performance.now() when the request arrived. */
    private readonly startedAt: number,
  ) {}

  addRequestChunk(chunk: Buffer): void {
    this.requestChunks.push(chunk);
  }

  responseStarted(statusCode: number, contentType: string | undefined, contentEncoding: string | undefined): void {
    this.statusCode = statusCode;
    if (contentType?.startsWith('text/event-stream')) {
      const stream = new OpenAiStreamCapture();
      this.stream = stream;
      this.tap = createBodyTap(contentEncoding, (chunk, now) => stream.push(chunk, now));
      return;
    }
    if (statusCode >= 400) this.responseLimit = MAX_ERROR_BODY_BYTES;
    else if (USAGE_ENDPOINTS.has(this.endpoint)) this.responseLimit = MAX_USAGE_BODY_BYTES;
    if (this.responseLimit === 0) return;
    const kept: Buffer[] = [];
    this.responseChunks = kept;
    this.tap = createBodyTap(contentEncoding, (chunk) => this.keep(kept, chunk));
  }

  addResponseChunk(chunk: Buffer, now: number): void {
    this.tap?.write(chunk, now);
  }

  /**
   * Builds the row. Never rejects: if reading the bodies fails (a capture bug), the row is still
   * returned with the fields known without them, and the error beside it.
   */
  async finish(outcome: ExchangeOutcome): Promise<{ record: RequestRecord; captureError?: unknown }> {
    try {
      await this.tap?.end();
      return { record: this.build(outcome, true) };
    } catch (captureError) {
      return { record: this.build(outcome, false), captureError };
    }
  }

  private build(outcome: ExchangeOutcome, readBodies: boolean): RequestRecord {
    const request = readBodies ? readTopLevel(concat(this.requestChunks), { parse: ['model', 'stream'] }) : null;
    const model = request?.values.get('model');
    const wasStreamed = request?.values.get('stream') === true;
    const durationMs = outcome.endedAt - this.startedAt;

    let usage: TokenUsage | null = null;
    let responseModel: string | null = null;
    let finishReason: string | null = null;
    let bodyError: string | null = null;
    let ttftMs: number | null = null;
    let tokensPerSecond: number | null = null;

    if (!readBodies) {
      // nothing more is known
    } else if (this.stream !== null) {
      const s = this.stream;
      s.end();
      ({ usage, responseModel, finishReason } = s);
      bodyError = s.errorMessage;
      if (s.firstContentAt !== null) ttftMs = s.firstContentAt - this.startedAt;
      if (usage !== null && usage.output_tokens > 0 && s.firstContentAt !== null && s.lastContentAt !== null) {
        const windowMs = s.lastContentAt - s.firstContentAt;
        if (windowMs > 0) tokensPerSecond = usage.output_tokens / (windowMs / 1000);
      }
    } else if (this.responseChunks !== null && this.responseBytes <= this.responseLimit) {
      const body = readTopLevel(concat(this.responseChunks), { parse: ['model', 'usage', 'choices', 'error'] });
      if (body !== null) {
        usage = readUsage(body.values.get('usage'));
        const m = body.values.get('model');
        responseModel = typeof m === 'string' ? m : null;
        finishReason = readFinishReason(body.values.get('choices'));
        bodyError = readErrorMessage(body.values.get('error'));
      }
      if (usage !== null && usage.output_tokens > 0 && durationMs > 0) {
        tokensPerSecond = usage.output_tokens / (durationMs / 1000);
      }
    }

    const status = outcome.statusCode ?? this.statusCode;
    const errorType: ErrorType | null =
      outcome.errorType ??
      (status !== null && status >= 400 ? 'upstream_status' : bodyError !== null ? 'stream_error' : null);
    const errorMessage = outcome.errorMessage ?? (errorType !== null ? bodyError : null);

    return {
      start_time: this.startTime,
      method: this.method,
      endpoint: this.endpoint,
      model: typeof model === 'string' ? model : null,
      response_model: responseModel,
      status_code: status,
      is_error: errorType !== null,
      error_type: errorType,
      error_message: errorMessage === null ? null : errorMessage.slice(0, MAX_ERROR_MESSAGE_CHARS),
      was_streamed: wasStreamed,
      input_tokens: usage?.input_tokens ?? null,
      output_tokens: usage?.output_tokens ?? null,
      total_tokens: usage?.total_tokens ?? null,
      usage_source: usage === null ? 'none' : 'reported',
      ttft_ms: ttftMs === null ? null : round3(ttftMs),
      duration_ms: round3(durationMs),
      tokens_per_second: tokensPerSecond === null ? null : round3(tokensPerSecond),
      finish_reason: finishReason,
    };
  }

  private keep(kept: Buffer[], chunk: Buffer): void {
    this.responseBytes += chunk.length;
    if (this.responseBytes <= this.responseLimit) kept.push(chunk);
    else kept.length = 0; // over the cap: give the memory back, usage stays unknown
  }
}

function concat(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
