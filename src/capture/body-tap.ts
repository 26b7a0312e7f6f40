import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** Receives decoded response bytes with the time (performance.now() ms) they became available. */
export type BodySink = (chunk: Buffer, now: number) => void;

/**
 * A read-only tap on the response body. The client always gets the original bytes; when the
 * upstream compressed them (`Content-Encoding`), capture reads a decompressed copy made by zlib on
 * libuv's thread pool, so decoding never runs on the request path.
 */
export interface BodyTap {
  write(chunk: Buffer, now: number): void;
  /** Resolves once every decoded byte has reached the sink. */
  end(): Promise<void>;
}

const IGNORE: BodyTap = { write: () => {}, end: () => Promise.resolve() };

export function createBodyTap(contentEncoding: string | undefined, sink: BodySink): BodyTap {
  const encoding = contentEncoding?.trim().toLowerCase() ?? '';
  if (encoding === '' || encoding === 'identity') return { write: sink, end: () => Promise.resolve() };
  const decoder = createDecoder(encoding);
  if (decoder === null) return IGNORE; // an encoding capture cannot read: usage stays unknown
  let failed = false;
  decoder.on('data', (decoded: Buffer) => sink(decoded, performance.now()));
  const done = new Promise<void>((resolve) => {
    decoder.once('end', resolve);
    decoder.once('error', () => {
      failed = true;
      resolve(); // a corrupt or cut-off body: capture keeps what it decoded so far
    });
    decoder.once('close', resolve);
  });
  return {
    write(chunk) {
      if (!failed) decoder.write(chunk);
    },
    end() {
      if (!failed) decoder.end();
      return done;
    },
  };
}

function createDecoder(encoding: string): Transform | null {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}
