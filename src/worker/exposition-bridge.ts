/**
 * The admin thread serves `/metrics` exposition, but the Prometheus counters live on the main
 * thread, where requests are (process-lifetime values, never rebuilt from the database). So the
 * admin thread asks for the text over the worker's message port, one request id per scrape.
 *
 * worker → main `{type:'exposition-request', id, format}`;
 * main → worker `{type:'exposition-response', id, contentType, body}` or `{…, id, error}`.
 */
import type { Worker } from 'node:worker_threads';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Exposition, ExpositionFormat } from '../metrics/exposition.js';

export interface ExpositionRequest {
  readonly type: 'exposition-request';
  readonly id: number;
  readonly format: ExpositionFormat;
}

export type ExpositionResponse =
  | { readonly type: 'exposition-response'; readonly id: number; readonly contentType: string; readonly body: string }
  | { readonly type: 'exposition-response'; readonly id: number; readonly error: string };

export type ExpositionSource = (format: ExpositionFormat) => Promise<Exposition>;

/** A scrape waits this long for the main thread at most (Prometheus' default scrape timeout is 10 s). */
const ANSWER_TIMEOUT_MS = 10_000;

/** Main thread: answers the admin worker's exposition requests. */
export function answerExpositionRequests(worker: Worker, source: ExpositionSource, logger: Logger): void {
  worker.on('message', (message: { type?: string }) => {
    if (message.type !== 'exposition-request') return;
    const { id, format } = message as ExpositionRequest;
    const reply = (response: ExpositionResponse): void => worker.postMessage(response);
    source(format).then(
      (exposition) => reply({ type: 'exposition-response', id, contentType: exposition.contentType, body: exposition.body }),
      (err: unknown) => {
        logger.error({ err }, 'metrics exposition failed');
        reply({ type: 'exposition-response', id, error: (err as Error).message });
      },
    );
  });
}

/** Admin thread: asks the main thread; `handle` takes the answers off the port. */
export class ExpositionClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (e: Exposition) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly post: (request: ExpositionRequest) => void) {}

  request(format: ExpositionFormat): Promise<Exposition> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, { type: 'exposition-response', id, error: `no answer within ${ANSWER_TIMEOUT_MS} ms` }), ANSWER_TIMEOUT_MS);
      timer.unref(); // a scrape in progress must not keep a closing admin thread alive
      this.pending.set(id, { resolve, reject, timer });
      this.post({ type: 'exposition-request', id, format });
    });
  }

  /** Returns true when the message was an exposition answer. */
  handle(message: { type?: string }): boolean {
    if (message.type !== 'exposition-response') return false;
    const response = message as ExpositionResponse;
    this.settle(response.id, response);
    return true;
  }

  private settle(id: number, response: ExpositionResponse): void {
    const waiting = this.pending.get(id);
    if (waiting === undefined) return; // answered after its timeout
    this.pending.delete(id);
    clearTimeout(waiting.timer);
    if ('error' in response) waiting.reject(new AppError('LMP_METRICS_UNAVAILABLE', `metrics exposition unavailable: ${response.error}`));
    else waiting.resolve({ contentType: response.contentType, body: response.body });
  }
}
