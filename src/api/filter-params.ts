/**
 * The filter query parameters every stats endpoint accepts, parsed into a StatsFilter:
 * `start`, `end`, `model`, `endpoint`, `streamed`, `status`, `api_key_id`, `user`, `tag`
 * (repeatable). Unknown parameters are ignored; invalid ones throw InvalidParamError.
 */
import type { StatsFilter } from '../domain/stats-filter.js';
import { InvalidParamError, single, type QueryValues } from './param-error.js';
import { parseTimestamp, TIMESTAMP_FORMATS } from './time-param.js';

type MutableFilter = { -readonly [K in keyof StatsFilter]: StatsFilter[K] };

export function parseStatsFilter(query: QueryValues): StatsFilter {
  const filter: MutableFilter = {};
  const start = timeParam(query, 'start');
  const end = timeParam(query, 'end');
  if (start !== undefined) filter.start = start;
  if (end !== undefined) filter.end = end;
  checkRange(start, end);

  const model = textParam(query, 'model');
  if (model !== undefined) filter.model = model;
  const endpoint = textParam(query, 'endpoint');
  if (endpoint !== undefined) filter.endpoint = endpoint;
  const apiKeyId = textParam(query, 'api_key_id');
  if (apiKeyId !== undefined) filter.apiKeyId = apiKeyId;
  const user = textParam(query, 'user');
  if (user !== undefined) filter.user = user;

  const streamed = single(query, 'streamed');
  if (streamed !== undefined) {
    if (streamed !== 'true' && streamed !== 'false') {
      throw new InvalidParamError('streamed', `streamed must be true or false, got ${JSON.stringify(streamed)}`);
    }
    filter.streamed = streamed === 'true';
  }

  const status = single(query, 'status');
  if (status !== undefined) {
    if (status !== 'success' && status !== 'error') {
      throw new InvalidParamError('status', `status must be success or error, got ${JSON.stringify(status)}`);
    }
    filter.status = status;
  }

  const tags = (query.tag ?? []).map(parseTag);
  if (tags.length > 0) filter.tags = tags;
  return filter;
}

/** A timestamp parameter in epoch ms; undefined when absent. */
export function timeParam(query: QueryValues, name: string): number | undefined {
  const raw = single(query, name);
  if (raw === undefined) return undefined;
  const ms = parseTimestamp(raw);
  if (ms === null) throw new InvalidParamError(name, `${name} must be ${TIMESTAMP_FORMATS}, got ${JSON.stringify(raw)}`);
  return ms;
}

/** Throws when both ends are given and `end` is not after `start`. */
export function checkRange(start: number | undefined, end: number | undefined): void {
  if (start !== undefined && end !== undefined && end <= start) {
    throw new InvalidParamError(
      'end',
      `end must be later than start, got start=${new Date(start).toISOString()} and end=${new Date(end).toISOString()}`,
    );
  }
}

function textParam(query: QueryValues, name: string): string | undefined {
  const raw = single(query, name);
  if (raw === '') throw new InvalidParamError(name, `${name} must not be empty`);
  return raw;
}

/** `key:value`, split at the first colon; both parts non-empty. */
function parseTag(raw: string): readonly [string, string] {
  const colon = raw.indexOf(':');
  const key = colon < 0 ? '' : raw.slice(0, colon);
  const value = colon < 0 ? '' : raw.slice(colon + 1);
  if (key === '' || value === '') {
    throw new InvalidParamError('tag', `tag must be key:value with a non-empty key and value, got ${JSON.stringify(raw)}`);
  }
  return [key, value];
}
