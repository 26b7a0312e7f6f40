/**
 * The dashboard's build (web/dist) held in memory: each file with its Brotli and gzip copies,
 * which the Vite build writes beside it (`x.js.br`, `x.js.gz`).
 *
 * Written here rather than using @hono/node-server's serveStatic, which streams each file from
 * disk in 64 kB reads: the admin thread answers aggregates synchronously, so on a large history
 * a streamed file waited behind every query between two reads, and the page's code arrived after
 * the very API answers it started. The whole build is ~0.5 MB; held in memory, each file goes out
 * in one write. The build is read again when its files changed (a rebuild while running): checked
 * on every page load and on every miss, never on a hit (the bundles' names carry their hash).
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

/** The files of a build directory by URL path (`/index.html`, `/assets/x.js`). */
export class DashboardFiles {
  private files: ReadonlyMap<string, DashboardFile> | null = null;
  private stamp = '';

  constructor(private readonly dir: string) {}

  /**
   * The build's files; null when there is no build (no index.html). `check`: first look whether
   * the files on disk changed (names, sizes, times), and read them again if so.
   */
  current(check: boolean): ReadonlyMap<string, DashboardFile> | null {
    if (!check && this.files !== null) return this.files;
    let names: string[];
    let stamp: string;
    try {
      names = listFiles(this.dir).map((path) => relative(this.dir, path).split(sep).join('/'));
      stamp = names.map((name) => {
        const stat = statSync(join(this.dir, name));
        return `${name}:${stat.size}:${stat.mtimeMs}`;
      }).join('|');
    } catch {
      names = []; // no directory, or a file vanished mid-rebuild: as good as no build for now
      stamp = '';
    }
    if (!names.includes('index.html')) {
      this.files = null;
      return null;
    }
    if (this.files === null || stamp !== this.stamp) {
      try {
        this.files = readBuild(this.dir, new Set(names));
        this.stamp = stamp;
      } catch {
        // A file vanished while a rebuild runs: keep what was read before; the next check retries.
      }
    }
    return this.files;
  }
}

function readBuild(dir: string, names: ReadonlySet<string>): Map<string, DashboardFile> {
  const files = new Map<string, DashboardFile>();
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

/**
 * The encoding `accept` (an Accept-Encoding header) ranks highest among the copies `file` has:
 * q-values count (`*` stands for codings not named, q=0 refuses), Brotli wins a tie.
 */
export function pickEncoding(file: DashboardFile, accept: string | undefined): Encoding {
  if (accept === undefined) return null;
  const weights = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name !== '') weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (name: string): number => weights.get(name) ?? weights.get('*') ?? 0;
  const br = file.br === null ? 0 : weightOf('br');
  const gzip = file.gzip === null ? 0 : weightOf('gzip');
  if (br > 0 && br >= gzip) return 'br';
  return gzip > 0 ? 'gzip' : null;
}
