/**
 * Seeds a SQLite database with N realistic request rows (default 1,000,000 over 30 days), starts
 * the service on it, and times every stats endpoint over HTTP (median and max of repeated calls).
 *
 *   npx tsx bench/stats-api.ts [rows] [repeats]
 *
 * Seeding is reused: the database is kept in /tmp/lmp-bench-<rows>.db between runs.
 */
import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { startService } from '../src/service.js';
import { seedHistory } from './seed-history.js';
import { testConfig } from '../test/helpers/service.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REPEATS = Number(process.argv[3] ?? 7);
const DAY = 86_400_000;
const END = Date.UTC(2026, 10, 1);
const START = END - 30 * DAY;

async function time(url: string): Promise<{ median: number; max: number; status: number }> {
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    status = res.status;
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] as number, max: times[times.length - 1] as number, status };
}

async function main(): Promise<void> {
  const dbPath = `/tmp/lmp-bench-${ROWS}.db`;
  if (!existsSync(dbPath)) await seedHistory(dbPath, ROWS, START, END);
  const dir = '/tmp';
  const config = testConfig({ upstreamUrl: 'http://127.0.0.1:9', dbPath, flushIntervalMs: 200 }, dir);
  const t0 = performance.now();
  const service = await startService(config, pino({ level: 'warn' }));
  const first = await fetch(`${service.adminUrl}/stats/summary`);
  await first.arrayBuffer();
  console.log(`service started and the admin thread's analytics loaded the history in ${((performance.now() - t0) / 1000).toFixed(1)} s (first /stats/summary answered)`);
  const day = new Date(END - DAY).toISOString();
  const hour = new Date(END - 3_600_000).toISOString();
  // Not a round day, as the dashboard's "last 30 days" never is.
  const month = new Date(START + 1234567).toISOString();
  const end = new Date(END + 1234567).toISOString();
  const endpoints = [
    '/stats/summary',
    `/stats/summary?start=${hour}`,
    '/stats/summary?model=gpt-4o&streamed=true',
    '/stats/summary?tag=team:red&status=error',
    '/stats/by-model',
    '/stats/by-key',
    '/stats/by-user',
    '/stats/by-endpoint',
    '/stats/by-streamed',
    `/stats/timeseries?start=${new Date(START).toISOString()}&end=${new Date(END).toISOString()}`,
    `/stats/timeseries?start=${day}&end=${new Date(END).toISOString()}&bucket=5m`,
    '/stats/recent?limit=100',
    '/stats/recent?limit=100&offset=500000',
    '/stats/recent?limit=100&model=phi4&user=user-7',
    '/stats/recent?limit=100&tag=team:blue',
    '/stats/requests/500000',
    '/metrics',
    `/metrics?start=${day}`,
    '/completion_requests?limit=100',
    // The dashboard's 30-day overview: its summary, the previous period's, the stream split, the charts.
    `/stats/summary?start=${month}&end=${end}`,
    `/stats/summary?start=${new Date(START - 30 * DAY).toISOString()}&end=${month}`,
    `/stats/by-streamed?start=${month}&end=${end}`,
    `/stats/timeseries?start=${month}&end=${end}`,
  ];
  console.log(`| endpoint (${ROWS.toLocaleString('en-US')} rows) | median ms | max ms |`);
  console.log('|---|---|---|');
  for (const path of endpoints) {
    const r = await time(`${service.adminUrl}${path}`);
    console.log(`| \`${path.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…')}\` | ${r.median.toFixed(1)} | ${r.max.toFixed(1)} |${r.status === 200 ? '' : ` status ${r.status}`}`);
  }
  await service.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
