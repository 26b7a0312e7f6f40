/**
 * The dashboard's build (web/dist) held in memory: each file with its Brotli and gzip copies,
 * which the Vite build writes beside it (`x.js.br`, `x.js.gz`).
 *
 * Written here rather than using @hono/node-server's serveStatic, which streams each file from
 * disk in 64 kB reads: the admin thread answers aggregates synchronously, so on a large history
 * a streamed file waited behind every query between two reads, and the page's code arrived after
 * the very API answers it started. The whole build is ~0.5 MB; held in memory, each file goes out
 * in one write. The build is read again when index.html changes (a rebuild while running).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { getMimeType } from 'hono/utils/mime';

export interface DashboardFile {
  readonly type: string;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly br: Uint8Array<ArrayBuffer> | null;
  readonly gzip: Uint8Array<ArrayBuffer> | null;
}

export type Encoding = 'br' | 'gzip' | null;

/** The files of a build directory by URL path (`/index.html`, `/assets/x.js`), reloaded when index.html changes. */
export class DashboardFiles {
  private files: ReadonlyMap<string, DashboardFile> | null = null;
  private stamp = '';

  constructor(private readonly dir: string) {}

  /** The build's files; null when there is no build (index.html missing). */
  current(): ReadonlyMap<string, DashboardFile> | null {
    let stamp: string;
    try {
      const index = statSync(join(this.dir, 'index.html'));
      stamp = `${index.mtimeMs}:${index.size}`;
    } catch {
      this.files = null;
      return null;
    }
    if (this.files === null || stamp !== this.stamp) {
      this.files = readBuild(this.dir);
      this.stamp = stamp;
    }
    return this.files;
  }
}

function readBuild(dir: string): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
  const names = new Set(listFiles(dir).map((path) => relative(dir, path).split(sep).join('/')));
  for (const name of names) {
    if (name.endsWith('.br') || name.endsWith('.gz')) continue;
    const read = (suffix: string) => (names.has(name + suffix) ? bytes(join(dir, name + suffix)) : null);
    files.set(`/${name}`, {
      type: getMimeType(name) ?? 'application/octet-stream',
      body: bytes(join(dir, name)),
      br: read('.br'),
      gzip: read('.gz'),
    });
  }
  return files;
}

/** A file's bytes in an ArrayBuffer of their own (a Buffer may share Node's pool). */
function bytes(path: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(path));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

/** The best encoding `accept` (an Accept-Encoding header) allows among the copies `file` has. */
export function pickEncoding(file: DashboardFile, accept: string | undefined): Encoding {
  if (accept === undefined) return null;
  const allowed = new Set<string>();
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q === undefined || Number(q.slice(2)) > 0) allowed.add(name.trim());
  }
  if (file.br !== null && allowed.has('br')) return 'br';
  if (file.gzip !== null && allowed.has('gzip')) return 'gzip';
  return null;
}
