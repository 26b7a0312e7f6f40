/**
 * CPU cost per request of the proxy (recording on, SQLite) against a minimal undici pass-through,
 * measured in the same run on the same machine. Each server runs in its own process; CPU comes
 * from /proc/<pid>/stat (user+system), so the load generator's own cost is not counted.
 *
 *   npx tsx bench/proxy-overhead.ts [requests-per-round] [rounds]
 *
 * Prints one line per round and scenario, then the median ratio (proxy CPU ÷ baseline CPU).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';

const REQUESTS = Number(process.argv[2] ?? 3000);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONCURRENCY = 32;
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Proc { child: ChildProcess; url: string }

function start(args: string[], env: Record<string, string>, pick: (line: Record<string, unknown>) => string | undefined): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const url = pick(JSON.parse(line) as Record<string, unknown>);
        if (url !== undefined) resolve({ child, url });
      } catch { /* not JSON */ }
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function load(url: string, stream: boolean, n: number): Promise<void> {
  const pool = new Pool(url, { connections: CONCURRENCY });
  const body = JSON.stringify({ model: 'bench-model', stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'Say hello. '.repeat(20) }] });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      next++;
      const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, body });
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      await res.body.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await pool.close();
}

async function measure(proc: Proc, stream: boolean): Promise<{ cpuMsPerRequest: number; rps: number }> {
  await load(proc.url, stream, 200); // warm-up
  const before = cpuTicks(proc.child.pid!);
  const t0 = performance.now();
  await load(proc.url, stream, REQUESTS);
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = ((cpuTicks(proc.child.pid!) - before) / TICKS_PER_SECOND) * 1000;
  return { cpuMsPerRequest: cpuMs / REQUESTS, rps: REQUESTS / seconds };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lmp-bench-'));
  const upstream = await start(['bench/upstream-server.ts'], { CHUNKS: '50' }, (l) => (l.port ? `http://127.0.0.1:${l.port}` : undefined));
  const baseline = await start(['bench/baseline-proxy.ts'], { UPSTREAM_URL: upstream.url }, (l) => (l.port ? `http://127.0.0.1:${l.port}` : undefined));
  let adminUrl = '';
  const proxy = await start(
    ['src/main.ts', '--port', '0', '--host', '127.0.0.1', '--admin-port', '0', '--upstream', upstream.url, '--db-path', join(dir, 'bench.db'), '--log-level', 'info'],
    {},
    (l) => {
      if (typeof l.proxy !== 'string') return undefined;
      adminUrl = l.admin as string;
      return l.proxy;
    },
  );
  console.log(`requests per round: ${REQUESTS}, concurrency ${CONCURRENCY}, stream = 50 content chunks`);
  for (const stream of [false, true]) {
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? [baseline, proxy] : [proxy, baseline];
      const results = new Map<Proc, { cpuMsPerRequest: number; rps: number }>();
      for (const p of order) results.set(p, await measure(p, stream));
      const b = results.get(baseline)!;
      const o = results.get(proxy)!;
      ratios.push(o.cpuMsPerRequest / b.cpuMsPerRequest);
      console.log(
        `${stream ? 'stream' : 'json  '} round ${round}: baseline ${(b.cpuMsPerRequest * 1000).toFixed(0)} µs CPU/req (${b.rps.toFixed(0)} req/s)` +
          ` | proxy ${(o.cpuMsPerRequest * 1000).toFixed(0)} µs CPU/req (${o.rps.toFixed(0)} req/s) | ratio ${(o.cpuMsPerRequest / b.cpuMsPerRequest).toFixed(2)}`,
      );
    }
    console.log(`${stream ? 'stream' : 'json  '} median CPU ratio proxy/baseline: ${median(ratios).toFixed(2)}`);
  }
  const summary = (await (await fetch(`${adminUrl}/stats/summary`)).json()) as { total_requests: number; total_output_tokens: number };
  const expected = ROUNDS * 2 * (REQUESTS + 200);
  console.log(`rows recorded by the proxy: ${summary.total_requests} of ${expected} sent (recorder flushes every 200 ms; the last batch may still be queued)`);
  for (const p of [upstream, baseline, proxy]) p.child.kill('SIGTERM');
  await new Promise((resolve) => proxy.child.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
