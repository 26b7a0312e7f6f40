/** API paths the dashboard reads, the admin token, and the errors shown in place. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, fetchJson } from '../../web/src/lib/api-client.js';
import { requestPath, statsPath } from '../../web/src/lib/api-query.js';

const W = { start: Date.UTC(2024, 0, 15, 11), end: Date.UTC(2024, 0, 15, 12) };

function fakeFetch(response: Response | Error, seen: Array<{ url: string; headers: Record<string, string> }> = []): typeof fetch {
  return (async (url: string, init: RequestInit) => {
    seen.push({ url, headers: init.headers as Record<string, string> });
    if (response instanceof Error) throw response;
    return response;
  }) as typeof fetch;
}

describe('statsPath', () => {
  it('relative paths with the window in ISO-8601 UTC and the filters under their API names', () => {
    assert.equal(statsPath('summary', { start: null, end: null }, { tags: [] }), 'stats/summary');
    assert.equal(
      statsPath('by-model', W, { model: 'llama3.1:8b', streamed: true, status: 'success', tags: ['team:red'] }),
      'stats/by-model?start=2024-01-15T11%3A00%3A00.000Z&end=2024-01-15T12%3A00%3A00.000Z&model=llama3.1%3A8b' +
        '&status=success&streamed=true&tag=team%3Ared',
    );
    assert.equal(statsPath('recent', { start: null, end: null }, { user: 'u', tags: [] }, { limit: '50', cursor: 'abc' }), 'stats/recent?user=u&limit=50&cursor=abc');
    assert.equal(requestPath(17), 'stats/requests/17');
  });
});

describe('fetchJson', () => {
  it('returns the JSON body; sends the admin token as a bearer token only when set', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    assert.deepEqual(await fetchJson('stats/summary', { token: 'secret-1' }, fakeFetch(Response.json({ ok: 1 }), seen)), { ok: 1 });
    await fetchJson('stats/summary', {}, fakeFetch(Response.json({}), seen));
    assert.equal(seen[0]!.headers.authorization, 'Bearer secret-1');
    assert.equal(seen[1]!.headers.authorization, undefined);
  });

  it("an API error carries the status and the API's message", async () => {
    const body = { error: { message: 'end must be later than start', type: 'invalid_request_error', code: 'invalid_parameter' } };
    await assert.rejects(fetchJson('x', {}, fakeFetch(Response.json(body, { status: 400 }))), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 400);
      assert.equal(err.message, 'HTTP 400: end must be later than start');
      return true;
    });
  });

  it('a non-JSON failure, a refused token, an unreachable server, a non-JSON success', async () => {
    await assert.rejects(fetchJson('x', {}, fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }))), { message: 'HTTP 502', status: 502 });
    await assert.rejects(fetchJson('x', {}, fakeFetch(new Response('', { status: 401 }))), {
      message: 'The admin API refused the request (HTTP 401): set the admin token in Settings.',
    });
    await assert.rejects(fetchJson('x', {}, fakeFetch(new TypeError('Failed to fetch'))), {
      message: 'Cannot reach the admin API: Failed to fetch',
      status: null,
    });
    await assert.rejects(fetchJson('x', {}, fakeFetch(new Response('not json', { status: 200 }))), {
      message: 'The admin API sent an answer that is not JSON (HTTP 200)',
    });
  });

  it('an abort is passed through as is, not reported as an API error', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    await assert.rejects(fetchJson('x', {}, fakeFetch(abort)), (err: unknown) => !(err instanceof ApiError) && (err as Error).name === 'AbortError');
  });
});
