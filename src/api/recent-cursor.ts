/**
 * The opaque paging cursor of `/stats/recent`: base64url of `start_time_ms:id` of the last row
 * of the previous page. The next page holds the rows strictly older than that (start_time, id).
 */
import type { StoredRequest } from '../domain/request-record.js';
import { InvalidParamError } from './param-error.js';

export interface CursorPosition {
  readonly start_time: number;
  readonly id: number;
}

export function encodeCursor(row: Pick<StoredRequest, 'start_time' | 'id'>): string {
  return Buffer.from(`${Date.parse(row.start_time)}:${row.id}`, 'utf8').toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]{1,64}$/;
const POSITION = /^(-?[0-9]{1,16}):([0-9]{1,16})$/;

/** The position a cursor names; throws InvalidParamError for anything this API did not issue. */
export function decodeCursor(raw: string): CursorPosition {
  const invalid = (): InvalidParamError =>
    new InvalidParamError('cursor', `cursor must be a next_cursor value from a previous response, got ${JSON.stringify(raw)}`);
  if (!BASE64URL.test(raw)) throw invalid();
  const text = Buffer.from(raw, 'base64url').toString('utf8');
  // Decoding is lenient (padding, stray bits); only the exact encoding of a position is accepted.
  if (Buffer.from(text, 'utf8').toString('base64url') !== raw) throw invalid();
  const m = POSITION.exec(text);
  if (m === null) throw invalid();
  const startTime = Number(m[1]);
  const id = Number(m[2]);
  if (!Number.isSafeInteger(startTime) || !Number.isSafeInteger(id)) throw invalid();
  return { start_time: startTime, id };
}
