import assert from 'node:assert/strict';

/** A `/health` body of the running service: ok, the service's name, and whether stats have loaded. */
export function assertHealth(body: unknown, service: string): void {
  const stats = (body as { stats?: unknown }).stats;
  assert.ok(stats === 'ready' || stats === 'loading', `stats is ready or loading, got ${JSON.stringify(stats)}`);
  assert.deepEqual(body, { status: 'ok', service, stats });
}
