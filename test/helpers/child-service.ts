import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../../src/config/settings.js';

/** The real CLI entry point and the tsx loader, as absolute paths (the child runs in a temp cwd). */
const MAIN_PATH = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
const TSCONFIG_PATH = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

/** One pino JSON line from the child's stdout. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CliOptions {
  /** Extra environment for the child (added to a copy of this process's, minus every setting's names). */
  readonly env?: Record<string, string>;
  /** Working directory (where `.env` is looked for); a fresh empty temp dir when omitted. */
  readonly cwd?: string;
}

/**
 * Every environment name the service reads (primary names and aliases), so the test runner's own
 * environment cannot leak a setting into the child.
 */
function settingEnvNames(): Set<string> {
  const names = new Set<string>();
  for (const s of Object.values(SETTINGS)) {
    names.add(s.env);
    for (const alias of s.aliases) for (const name of alias.env ?? []) names.add(name);
  }
  return names;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of settingEnvNames()) delete env[name];
  // The parent may run under `node --test`/tsx: none of that belongs in the child.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  env.TSX_TSCONFIG_PATH = TSCONFIG_PATH;
  return { ...env, ...extra };
}

function spawnMain(args: readonly string[], options: CliOptions, cwd: string): ChildProcess {
  return spawn(process.execPath, ['--import', TSX_LOADER, MAIN_PATH, ...args], {
    cwd,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exitOf(child: ChildProcess): Promise<ChildExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export interface CliResult extends ChildExit {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (for config errors and --help). Kills it after `timeoutMs`. */
export async function runCli(args: readonly string[], options: CliOptions = {}, timeoutMs = 20_000): Promise<CliResult> {
  const tempCwd = options.cwd === undefined ? mkdtempSync(join(tmpdir(), 'lmp-cli-')) : null;
  try {
    const child = spawnMain(args, options, options.cwd ?? (tempCwd as string));
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const exit = await exitOf(child);
    clearTimeout(timer);
    // 'exit' can come before the pipes are drained.
    await Promise.all([streamClosed(child.stdout), streamClosed(child.stderr)]);
    return { ...exit, stdout, stderr };
  } finally {
    if (tempCwd !== null) rmSync(tempCwd, { recursive: true, force: true });
  }
}

function streamClosed(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (stream === null) return Promise.resolve();
  const readable = stream as NodeJS.ReadableStream & { closed?: boolean; readableEnded?: boolean };
  if (readable.closed === true || readable.readableEnded === true) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.once('end', () => resolve());
  });
}

export interface ChildService {
  readonly child: ChildProcess;
  readonly pid: number;
  /** From the "llm-metrics-proxy listening" log line. */
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** Temp dir holding the database (and used as cwd). */
  readonly dir: string;
  readonly dbPath: string;
  /** Every JSON log line so far. */
  readonly logs: LogLine[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves once a log line with this `msg` has been seen (already seen: at once). */
  waitForLog(msg: string, timeoutMs?: number): Promise<LogLine>;
  /** Resolves when the process has exited (stdout/stderr drained). */
  readonly exited: Promise<ChildExit>;
  /** Kills the process if still running (SIGKILL), waits for it, removes the temp dir. */
  dispose(): Promise<void>;
}

/**
 * Spawns the real CLI (`node --import tsx src/main.ts --port 0 --admin-port 0 --db-path <tmp>/metrics.db
 * …args`) with LOG_LEVEL=info unless given, and waits for its "listening" line.
 */
export async function spawnService(args: readonly string[], options: CliOptions = {}, startTimeoutMs = 20_000): Promise<ChildService> {
  const dir = mkdtempSync(join(tmpdir(), 'lmp-child-'));
  const dbPath = join(dir, 'metrics.db');
  const child = spawnMain(
    ['--port', '0', '--admin-port', '0', '--host', '127.0.0.1', '--db-path', dbPath, ...args],
    { env: { LOG_LEVEL: 'info', ...options.env } },
    options.cwd ?? dir,
  );
  const logs: LogLine[] = [];
  const waiters: { msg: string; resolve: (line: LogLine) => void }[] = [];
  let stderr = '';
  let pending = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) !== -1) {
      const text = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (text.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        stderr += `[non-JSON stdout] ${text}\n`;
        continue;
      }
      logs.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i] as (typeof waiters)[number];
        if (w.msg === line.msg) {
          waiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = exitOf(child).then(async (exit) => {
    await Promise.all([streamClosed(child.stdout), streamClosed(child.stderr)]);
    return exit;
  });

  const waitForLog = (msg: string, timeoutMs = 10_000): Promise<LogLine> => {
    const seen = logs.find((l) => l.msg === msg);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<LogLine>((resolve, reject) => {
      const waiter = {
        msg,
        resolve: (line: LogLine) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(waiter);
        if (i !== -1) waiters.splice(i, 1);
        reject(new Error(`no log line "${msg}" within ${timeoutMs} ms; stderr:\n${stderr}`));
      }, timeoutMs);
      waiters.push(waiter);
      void exited.then((exit) => {
        if (waiters.includes(waiter)) {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`process exited (${exit.code ?? exit.signal}) before log line "${msg}"; stderr:\n${stderr}`));
        }
      });
    });
  };

  const dispose = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  let listening: LogLine;
  try {
    listening = await waitForLog('llm-metrics-proxy listening', startTimeoutMs);
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    child,
    pid: child.pid as number,
    proxyUrl: String(listening.proxy),
    adminUrl: String(listening.admin),
    dir,
    dbPath,
    logs,
    stderr: () => stderr,
    waitForLog,
    exited,
    dispose,
  };
}
