/**
 * Start-up and memory of the built service (`node dist/main.js`, as users run it):
 *
 * - idle: RSS of the service on an empty database against a bare `node` process, same machine;
 * - cold start with N rows inside the retention window (default 1,000,000 over the last 29 days):
 *   time until the proxy answers, until a proxied request succeeds, until `/health` says
 *   `stats: ready`, and the first `/stats/summary`; RSS once ready.
 *
 *   npm run build && npx tsx bench/cold-start.ts [rows] [runs]
 *
 * The seeded database is kept in /tmp (per row count and UTC day) between runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedHistory } from './seed-history.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RUNS = Number(process.argv[3] ?? 2);
const DAY = 86_400_000;
const MAIN = new URL('../dist/main.js', import.meta.url).pathname;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A stand-in upstream answering every request with a small chat completion. */
async function startUpstream(): Promise<{ server: Server; url: string }> {
  const body = JSON.stringify({
    id: 'x', object: 'chat.completion', model: 'bench', created: 0,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });
  const server = createServer((_req, res) => {
    _req.resume();
    _req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function get(url: string): Promise<{ status: number; body: string } | null> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return null;
  }
}

interface StartFigures {
  proxyMs: number;
  proxiedMs: number;
  readyMs: number;
  summaryMs: number;
  rssMb: number;
}

async function startOnce(dbPath: string, upstream: string, expectedRows: number): Promise<StartFigures> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const t0 = performance.now();
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: String(port), ADMIN_PORT: String(adminPort), DB_PATH: dbPath, UPSTREAM_URL: upstream, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const proxy = `http://127.0.0.1:${port}`;
  let proxyMs = NaN;
  let proxiedMs = NaN;
  let readyMs = NaN;
  try {
    for (let i = 0; i < 6000 && Number.isNaN(readyMs); i++) {
      const health = await get(`${proxy}/health`);
      const now = performance.now() - t0;
      if (health?.status === 200) {
        if (Number.isNaN(proxyMs)) proxyMs = now;
        if (Number.isNaN(proxiedMs)) {
          const res = await fetch(`${proxy}/v1/chat/completions`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"bench","messages":[]}',
          }).catch(() => null);
          if (res?.status === 200) proxiedMs = performance.now() - t0;
          await res?.arrayBuffer();
        }
        if ((JSON.parse(health.body) as { stats?: string }).stats === 'ready') readyMs = now;
      }
      await sleep(20);
    }
    const summary = await get(`http://127.0.0.1:${adminPort}/stats/summary`);
    const summaryMs = performance.now() - t0;
    if (summary?.status !== 200) throw new Error(`summary failed: ${summary?.status}`);
    const rows = (JSON.parse(summary.body) as { total_requests: number }).total_requests;
    // Every earlier run's proxied request added a row.
    if (rows < expectedRows) throw new Error(`summary counts ${rows} rows, expected at least ${expectedRows}`);
    await sleep(500);
    return { proxyMs, proxiedMs, readyMs, summaryMs, rssMb: rssMb(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  await sleep(1500);
  const rss = rssMb(child.pid as number);
  child.kill();
  return rss;
}

async function main(): Promise<void> {
  if (!existsSync(MAIN)) throw new Error('build first: npm run build');
  const upstream = await startUpstream();
  const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

  const emptyDir = mkdtempSync(join(tmpdir(), 'lmp-idle-'));
  const bare = await bareNodeRss();
  const idle = await startOnce(join(emptyDir, 'metrics.db'), upstream.url, 0);
  rmSync(emptyDir, { recursive: true, force: true });
  console.log(`idle, empty database: service RSS ${idle.rssMb.toFixed(1)} MB, bare node ${bare.toFixed(1)} MB, above bare ${(idle.rssMb - bare).toFixed(1)} MB (target ≤ 60)`);

  const today = new Date().toISOString().slice(0, 10);
  const dbPath = `/tmp/lmp-cold-${ROWS}-${today}.db`;
  if (!existsSync(dbPath)) {
    const end = Date.now() - 3_600_000;
    await seedHistory(dbPath, ROWS, end - 29 * DAY, end);
  }
  for (let run = 1; run <= RUNS; run++) {
    const f = await startOnce(dbPath, upstream.url, ROWS);
    console.log(
      `cold start with ${ROWS.toLocaleString('en')} rows, run ${run}: proxy answers ${fmt(f.proxyMs)}, first proxied request ${fmt(f.proxiedMs)}, ` +
        `stats ready ${fmt(f.readyMs)} (target ≤ 5 s), first /stats/summary ${fmt(f.summaryMs)}, RSS ${f.rssMb.toFixed(0)} MB`,
    );
  }
  upstream.server.close();
}

await main();
