/**
 * What capture learns from a response body, whatever the API shape: usage, content timing,
 * outcome and the backend's own timings. Each shape (openai.ts, responses.ts, anthropic.ts,
 * ollama.ts) fills one from a stream or from a whole JSON body.
 */
import type { TokenUsage } from '../usage.js';

export interface BackendTimings {
  readonly prompt_ms: number | null;
  readonly generation_ms: number | null;
  readonly tokens_per_second: number | null;
  readonly load_ms: number | null;
  readonly total_ms: number | null;
}

export class ResponseCapture {
  usage: TokenUsage | null = null;
  /** Anthropic cache writes (part of usage.input_tokens). */
  cacheCreationTokens: number | null = null;
  responseModel: string | null = null;
  finishReason: string | null = null;
  /** An error reported inside a 2xx body or stream, or the message of an error body. */
  errorMessage: string | null = null;
  /** performance.now() of the first and last read carrying generated content (streams). */
  firstContentAt: number | null = null;
  lastContentAt: number | null = null;
  toolCalls: number | null = null;
  backend: BackendTimings | null = null;
  /** Generated text, collected only when output tokens may have to be estimated. */
  text: string[] | null = null;

  constructor(collectText = false) {
    if (collectText) this.text = [];
  }

  /** Generated content (text, tool-call arguments, reasoning) arrived at `now`. */
  content(now: number, text: string): void {
    if (text === '') return;
    if (this.firstContentAt === null) this.firstContentAt = now;
    this.lastContentAt = now;
    this.text?.push(text);
  }

  addToolCalls(count: number): void {
    if (count > 0) this.toolCalls = (this.toolCalls ?? 0) + count;
  }
}

/** Follows a streamed body (SSE or NDJSON) read by read. */
export interface StreamFollower {
  /** One read of the (decoded) body, received at `now` (performance.now() ms). */
  push(chunk: Buffer, now: number): void;
  /** The body ended; returns everything learned. */
  end(): ResponseCapture;
}

/** How one API shape's responses are read. */
export interface ApiShape {
  /** Top-level members of a non-streamed body that readBody needs parsed. */
  readonly bodyMembers: readonly string[];
  /** A follower for a streamed body, or null when this shape does not stream that content type. */
  follow(contentType: string, collectText: boolean): StreamFollower | null;
  /** Reads a non-streamed JSON body's parsed top-level members. */
  readBody(members: ReadonlyMap<string, unknown>, capture: ResponseCapture): void;
}

/** A JSON object member as a record, or null. */
export function objectOf(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A non-negative integer count, or undefined. */
export function countOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** A non-negative finite number, or null. */
export function numberOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

export function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
