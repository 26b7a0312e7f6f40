import type { ErrorType, RequestRecord } from '../domain/request-record.js';
import { createBodyTap, type BodyTap } from './body-tap.js';
import { USAGE_ENDPOINTS } from '../domain/endpoints.js';
import { type ApiShape, type BackendTimings, OLLAMA_STREAM_BY_DEFAULT, ResponseCapture, shapeOf, type StreamFollower } from './shapes/index.js';
import { fingerprintApiKey, readHeaderAttribution } from './attribution.js';
import type { CaptureContext } from './capture-context.js';
import { readTopLevel } from './json-fields.js';
import { readErrorMessage, type TokenUsage } from './usage.js';

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
  private follower: StreamFollower | null = null;
  private tap: BodyTap | null = null;
  private statusCode: number | null = null;
  private readonly shape: ApiShape | null;

  constructor(
    private readonly context: CaptureContext,
    private readonly method: string,
    private readonly endpoint: string,
    /** The client's raw request headers (read in `finish`, not on the request path). */
    private readonly rawHeaders: readonly string[],
    /** Date.now() when the request arrived. */
    private readonly startTime: number,
    /** performance.now() when the request arrived. */
    private readonly startedAt: number,
  ) {
    this.shape = shapeOf(endpoint);
  }

  addRequestChunk(chunk: Buffer): void {
    this.requestChunks.push(chunk);
  }

  responseStarted(statusCode: number, contentType: string | undefined, contentEncoding: string | undefined): void {
    this.statusCode = statusCode;
    const follower = statusCode < 400 ? (this.shape?.follow(contentType?.toLowerCase() ?? '', this.context.tokens !== null) ?? null) : null;
    if (follower !== null) {
      this.follower = follower;
      this.tap = createBodyTap(contentEncoding, (chunk, now) => follower.push(chunk, now));
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
    const request = readBodies ? readRequestFields(concat(this.requestChunks)) : NO_REQUEST_FIELDS;
    const headers = readHeaderAttribution(this.rawHeaders, this.context.attribution);
    const durationMs = outcome.endedAt - this.startedAt;
    const response = readBodies ? this.readResponse(durationMs) : NO_RESPONSE_FIELDS;
    const { usage } = response;
    const streamed = request.stream === true || (request.stream === null && OLLAMA_STREAM_BY_DEFAULT.has(this.endpoint));

    const status = outcome.statusCode ?? this.statusCode;
    const errorType: ErrorType | null =
      outcome.errorType ??
      (status !== null && status >= 400 ? 'upstream_status' : response.bodyError !== null ? 'stream_error' : null);
    const errorMessage = outcome.errorMessage ?? (errorType !== null ? response.bodyError : null);
    const cost =
      this.context.prices?.cost(request.model, response.responseModel, {
        input_tokens: usage?.input_tokens ?? null,
        output_tokens: usage?.output_tokens ?? null,
        cached_input_tokens: usage?.cached_input_tokens ?? null,
      }) ?? null;

    return {
      start_time: this.startTime,
      method: this.method,
      endpoint: this.endpoint,
      model: request.model,
      response_model: response.responseModel,
      status_code: status,
      is_error: errorType !== null,
      error_type: errorType,
      error_message: errorMessage === null ? null : errorMessage.slice(0, MAX_ERROR_MESSAGE_CHARS),
      was_streamed: streamed,
      input_tokens: usage?.input_tokens ?? null,
      output_tokens: usage?.output_tokens ?? response.estimatedOutputTokens,
      total_tokens: usage?.total_tokens ?? null,
      cached_input_tokens: usage?.cached_input_tokens ?? null,
      reasoning_tokens: usage?.reasoning_tokens ?? null,
      usage_source: usage !== null ? 'reported' : response.estimatedOutputTokens !== null ? 'estimated' : 'none',
      ttft_ms: roundOrNull(response.firstContentAt === null ? null : response.firstContentAt - this.startedAt),
      ttlt_ms: roundOrNull(response.lastContentAt === null ? null : response.lastContentAt - this.startedAt),
      duration_ms: round3(durationMs),
      tokens_per_second: roundOrNull(response.tokensPerSecond),
      finish_reason: response.finishReason,
      message_count: request.messageCount,
      origin: headers.origin,
      api_key_id: headers.apiKey === null ? null : fingerprintApiKey(headers.apiKey, this.context.attribution.keySecret),
      user: headers.user ?? request.user,
      tags: headers.tags,
      cost_usd: cost,
      cache_creation_input_tokens: response.cacheCreationTokens,
      tool_calls: response.toolCalls,
      backend_prompt_ms: roundOrNull(response.backend?.prompt_ms ?? null),
      backend_generation_ms: roundOrNull(response.backend?.generation_ms ?? null),
      backend_tokens_per_second: roundOrNull(response.backend?.tokens_per_second ?? null),
      backend_load_ms: roundOrNull(response.backend?.load_ms ?? null),
      backend_total_ms: roundOrNull(response.backend?.total_ms ?? null),
    };
  }

  /** Usage, timing and outcome read from the response (stream events or the kept JSON body). */
  private readResponse(durationMs: number): ResponseFields {
    if (this.follower !== null) {
      const c = this.follower.end();
      // Estimates only for streams that ended without reported usage (STREAM_USAGE inject or estimate).
      const tokens = this.context.tokens;
      const estimated = c.usage === null && tokens !== null && c.text !== null && c.firstContentAt !== null
        ? tokens.count(c.text.join(''))
        : null;
      const output = c.usage?.output_tokens ?? estimated;
      let tokensPerSecond: number | null = null;
      if (output !== null && output > 0 && c.firstContentAt !== null && c.lastContentAt !== null) {
        const windowMs = c.lastContentAt - c.firstContentAt;
        if (windowMs > 0) tokensPerSecond = output / (windowMs / 1000);
      }
      return fieldsOf(c, tokensPerSecond, estimated);
    }
    if (this.responseChunks === null || this.responseBytes > this.responseLimit) return NO_RESPONSE_FIELDS;
    const shape = this.shape;
    const body = readTopLevel(concat(this.responseChunks), { parse: shape?.bodyMembers ?? ['error'] });
    if (body === null) return NO_RESPONSE_FIELDS;
    const c = new ResponseCapture();
    if (shape !== null) shape.readBody(body.values, c);
    else c.errorMessage = readErrorMessage(body.values.get('error'));
    const output = c.usage?.output_tokens ?? 0;
    return fieldsOf(c, output > 0 && durationMs > 0 ? output / (durationMs / 1000) : null, null);
  }

  private keep(kept: Buffer[], chunk: Buffer): void {
    this.responseBytes += chunk.length;
    if (this.responseBytes <= this.responseLimit) kept.push(chunk);
    else kept.length = 0; // over the cap: give the memory back, usage stays unknown
  }
}

interface RequestFields {
  readonly model: string | null;
  /** The body's `stream` member; null when absent (or not a boolean). */
  readonly stream: boolean | null;
  readonly user: string | null;
  readonly messageCount: number | null;
}

const NO_REQUEST_FIELDS: RequestFields = { model: null, stream: null, user: null, messageCount: null };

/** The few request body members capture needs; the rest (prompts, images) is skipped unparsed. */
function readRequestFields(body: Buffer): RequestFields {
  const fields = readTopLevel(body, { parse: ['model', 'stream', 'user'], count: ['messages', 'input'] });
  if (fields === null) return NO_REQUEST_FIELDS;
  const model = fields.values.get('model');
  const user = fields.values.get('user');
  const stream = fields.values.get('stream');
  return {
    model: typeof model === 'string' ? model : null,
    stream: typeof stream === 'boolean' ? stream : null,
    user: typeof user === 'string' && user !== '' ? user : null,
    messageCount: fields.counts.get('messages') ?? fields.counts.get('input') ?? null,
  };
}

interface ResponseFields {
  readonly usage: TokenUsage | null;
  /** Output tokens counted by the tokenizer when the stream reported no usage; else null. */
  readonly estimatedOutputTokens: number | null;
  readonly cacheCreationTokens: number | null;
  readonly responseModel: string | null;
  readonly finishReason: string | null;
  readonly bodyError: string | null;
  readonly firstContentAt: number | null;
  readonly lastContentAt: number | null;
  readonly tokensPerSecond: number | null;
  readonly toolCalls: number | null;
  readonly backend: BackendTimings | null;
}

const NO_RESPONSE_FIELDS: ResponseFields = {
  usage: null,
  estimatedOutputTokens: null,
  cacheCreationTokens: null,
  responseModel: null,
  finishReason: null,
  bodyError: null,
  firstContentAt: null,
  lastContentAt: null,
  tokensPerSecond: null,
  toolCalls: null,
  backend: null,
};

function fieldsOf(c: ResponseCapture, tokensPerSecond: number | null, estimatedOutputTokens: number | null): ResponseFields {
  return {
    usage: c.usage,
    estimatedOutputTokens,
    cacheCreationTokens: c.cacheCreationTokens,
    responseModel: c.responseModel,
    finishReason: c.finishReason,
    bodyError: c.errorMessage,
    firstContentAt: c.firstContentAt,
    lastContentAt: c.lastContentAt,
    tokensPerSecond,
    toolCalls: c.toolCalls,
    backend: c.backend,
  };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round3(value);
}

function concat(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
