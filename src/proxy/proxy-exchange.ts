import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { CaptureContext } from '../capture/capture-context.js';
import { ExchangeCapture, type ExchangeOutcome } from '../capture/exchange-capture.js';
import type { Logger } from '../logger.js';
import type { ErrorType, RequestRecord } from '../domain/request-record.js';
import type { ExchangeObservation, ExchangeObserver } from './exchange-observer.js';
import { requestHeadersForUpstream, responseHeadersForClient, rawHeaderValue, withoutHeader } from './headers.js';
import { classifyUpstreamError } from './upstream-errors.js';
import { upstreamPath, type UpstreamTarget } from './upstream-target.js';
import { sendJsonError } from './json-error.js';
import { INJECT_ENDPOINTS, injectIncludeUsage, UsageStripper } from './stream-usage.js';

const EMPTY = Buffer.alloc(0);

export interface ExchangeDeps {
  readonly dispatcher: Dispatcher;
  readonly target: UpstreamTarget;
  readonly logger: Logger;
  readonly capture: CaptureContext;
  /** Receives the finished row; must not throw (the recorder only queues it). */
  readonly record: (record: RequestRecord) => void;
  /** Called once the exchange has ended and its row has been handed over (or failed to build). */
  readonly done: (exchange: ProxyExchange) => void;
  /** Metrics and tracing hooks (exchange-observer.ts). */
  readonly observer?: ExchangeObserver;
}

/**
 * One client request forwarded to the upstream. Implements undici's dispatch handler directly:
 * its raw callbacks hand over the upstream's header bytes (case, order, repeats intact) and body
 * Buffers with backpressure, with no stream objects in between — the cheapest path undici offers
 * (undici 7 still dispatches these callbacks natively; the controller-style API wraps them).
 */
export class ProxyExchange implements Dispatcher.DispatchHandler {
  private readonly capture: ExchangeCapture;
  private readonly startedAt = performance.now();
  private abortUpstream: ((err?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private upstreamDone = false;
  /** The proxy is sending its own error response: later upstream errors change nothing. */
  private responding = false;
  private ended = false;
  private readonly endpoint: string;
  private readonly observation: ExchangeObservation | undefined;
  /** STREAM_USAGE=inject changed the request: the response's usage is removed again (stream-usage.ts). */
  private injected = false;
  private stripper: UsageStripper | null = null;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly deps: ExchangeDeps,
  ) {
    const url = req.url as string;
    const q = url.indexOf('?');
    this.endpoint = q === -1 ? url : url.slice(0, q); // logged instead of the URL: queries can carry keys
    this.capture = new ExchangeCapture(deps.capture, req.method as string, this.endpoint, req.rawHeaders, Date.now(), this.startedAt);
    this.observation = deps.observer?.begin(this.startedAt, req.rawHeaders);
    res.sendDate = false; // the upstream's Date (or none) reaches the client, not ours
    res.once('close', () => this.onClientClose());
  }

  /**
   * Reads the request body, then dispatches. The body is collected before the upstream is
   * contacted (as nginx does by default): an LLM server cannot act on half a JSON body, a client
   * that gives up mid-upload never reaches the upstream, and the upstream gets an exact
   * Content-Length. Response streams, where latency matters, are never buffered.
   */
  start(): void {
    const chunks: Buffer[] = [];
    this.req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      this.capture.addRequestChunk(chunk);
    });
    this.req.once('end', () => {
      if (this.ended) return;
      const body = chunks.length === 0 ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      this.dispatch(this.deps.capture.streamUsage === 'inject' ? this.withInjectedUsage(body) : body);
    });
  }

  /** Graceful stop ran out of time: end this exchange now. */
  forceClose(): void {
    if (this.ended) return;
    this.finish({ statusCode: this.res.headersSent ? this.res.statusCode : null, errorType: 'shutdown', errorMessage: 'service stopped before the request finished' });
    this.abortUpstream?.(new Error('shutdown'));
    this.res.destroy();
  }

  /** The body with include_usage asked for (opt-in), or as it was; sets `injected`. */
  private withInjectedUsage(body: Buffer | null): Buffer | null {
    const { req } = this;
    if (req.method !== 'POST' || !INJECT_ENDPOINTS.has(this.endpoint) || req.headers['content-encoding'] !== undefined) return body;
    const changed = injectIncludeUsage(body);
    if (changed === null) return body;
    this.injected = true;
    return changed;
  }

  private dispatch(body: Buffer | null): void {
    this.observation?.dispatched();
    const { req, deps } = this;
    const forwarded = requestHeadersForUpstream(req.rawHeaders);
    // A rewritten body has another length: undici sets Content-Length from the Buffer instead.
    const headers = this.injected ? withoutHeader(forwarded, 'content-length') : forwarded;
    try {
      deps.dispatcher.dispatch(
        {
          origin: deps.target.origin,
          path: upstreamPath(deps.target, req.url as string),
          method: req.method as Dispatcher.HttpMethod,
          headers,
          body,
        },
        this,
      );
    } catch (err) {
      this.onError(err as Error);
    }
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.ended) abort(new Error('client went away'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx informational: Node answers the client's own
    if (this.ended) return false;
    const headers = responseHeadersForClient(rawHeaders);
    this.resumeUpstream = resume;
    this.res.on('drain', resume);
    try {
      // undici decodes the reason phrase as UTF-8, Node writes it as latin1: undo the first step.
      this.res.writeHead(statusCode, Buffer.from(statusText, 'utf8').toString('latin1'), headers);
    } catch (err) {
      // A header value or reason phrase Node refuses to write (invalid characters): nothing
      // reached the client yet. Answer first, then abort (undici calls onError back at once).
      this.deps.logger.warn({ err, endpoint: this.endpoint }, 'upstream response headers could not be forwarded');
      this.respondWithError(502, `Upstream ${this.deps.target.display} sent response headers the proxy cannot forward`, 'proxy_error');
      this.abortUpstream?.(err as Error);
      return false;
    }
    // Streams: send the headers now, as the upstream did. An empty Buffer write does that with
    // latin1 header bytes (flushHeaders() would re-encode non-ASCII header values as UTF-8).
    const contentLength = rawHeaderValue(headers, 'content-length');
    const contentType = rawHeaderValue(headers, 'content-type');
    const contentEncoding = rawHeaderValue(headers, 'content-encoding');
    if (contentLength === undefined) this.res.write(EMPTY);
    if (this.injected && statusCode < 300 && contentLength === undefined && contentEncoding === undefined && contentType?.startsWith('text/event-stream')) {
      this.stripper = new UsageStripper();
    }
    this.capture.responseStarted(statusCode, contentType, contentEncoding);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.ended) return false;
    const out = this.stripper === null ? chunk : this.stripper.push(chunk);
    const flowing = out.length === 0 || this.res.write(out);
    this.capture.addResponseChunk(chunk, performance.now()); // capture reads the upstream's bytes, usage included
    return flowing; // false pauses the upstream until the client drains
  }

  onComplete(): void {
    this.upstreamDone = true;
    this.observation?.upstreamEnded();
    if (this.ended) return;
    const rest = this.stripper?.end();
    if (rest !== undefined && rest.length > 0) this.res.write(rest);
    this.res.end(() => this.finish({ statusCode: this.res.statusCode, errorType: null, errorMessage: null }));
  }

  onError(err: Error): void {
    this.upstreamDone = true;
    this.observation?.upstreamEnded();
    if (this.ended || this.responding) return;
    if (this.clientGone()) {
      this.finish({ statusCode: this.res.headersSent ? this.res.statusCode : null, errorType: 'client_aborted', errorMessage: 'client closed the connection' });
      return;
    }
    const failure = classifyUpstreamError(err, this.deps.target.display);
    this.deps.logger.warn({ err, errorType: failure.errorType, endpoint: this.endpoint }, 'upstream request failed');
    if (!this.res.headersSent) {
      this.respondWithError(failure.status, failure.message, failure.errorType);
      return;
    }
    // The response has started: the only honest signal left is to cut the client's connection too.
    this.finish({ statusCode: this.res.statusCode, errorType: failure.errorType, errorMessage: failure.message });
    this.res.destroy();
  }

  /** Answers with the proxy's own error before any upstream byte reached the client; records once it is sent. */
  private respondWithError(status: 502 | 504, message: string, errorType: ErrorType): void {
    this.responding = true;
    const res = this.res;
    try {
      for (const name of res.getHeaderNames()) res.removeHeader(name); // left over from a failed writeHead
      res.statusMessage = '';
      sendJsonError(res, status, message, errorType, status === 504 ? 'gateway_timeout' : 'bad_gateway');
      res.once('finish', () => this.finish({ statusCode: status, errorType, errorMessage: message }));
    } catch (err) {
      this.deps.logger.error({ err, endpoint: this.endpoint }, 'error response could not be sent; closing the connection');
      this.finish({ statusCode: null, errorType, errorMessage: message });
      res.destroy();
    }
  }

  private clientGone(): boolean {
    // Not req.destroyed: Node destroys the request once its body has been read, long before this.
    return this.res.destroyed || this.res.socket?.destroyed === true;
  }

  private onClientClose(): void {
    if (this.ended || this.res.writableFinished) return;
    const errorType: ErrorType = 'client_aborted';
    this.finish({ statusCode: this.res.headersSent ? this.res.statusCode : null, errorType, errorMessage: 'client closed the connection' });
    if (!this.upstreamDone) this.abortUpstream?.(new Error('client closed the connection'));
  }

  private finish(outcome: Omit<ExchangeOutcome, 'endedAt'>): void {
    if (this.ended) return;
    this.ended = true;
    if (this.resumeUpstream !== null) this.res.off('drain', this.resumeUpstream);
    const { deps } = this;
    void this.capture.finish({ ...outcome, endedAt: performance.now() }).then((result) => {
      if (result.captureError !== undefined) {
        deps.logger.warn({ err: result.captureError, endpoint: this.endpoint }, 'capture could not read the exchange; row kept without body fields');
      }
      deps.record(result.record);
      this.observation?.ended(result.record);
      deps.done(this);
    });
  }
}
