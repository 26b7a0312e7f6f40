import type { RequestRecord } from '../domain/request-record.js';

/**
 * Optional hooks the proxy calls while it forwards a request (metrics, tracing). The proxy only
 * calls them; each call must be cheap and must not throw.
 */
export interface ExchangeObserver {
  /** A request arrived: `startedAt` is its performance.now(), `rawHeaders` the client's headers. */
  begin(startedAt: number, rawHeaders: readonly string[]): ExchangeObservation;
}

/** Follows one exchange from `begin` to `ended`. */
export interface ExchangeObservation {
  /** The request body has been read; the request is being sent to the upstream. */
  dispatched(): void;
  /** The upstream's response ended, completed or failed (only the first call counts). */
  upstreamEnded(): void;
  /** The exchange is over and this is its row (already handed to the recorder). */
  ended(record: RequestRecord): void;
}
