import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** How requests are attributed to keys, users and tags (issue 3). Header names are lower-case. */
export interface AttributionOptions {
  /** HMAC key for API key fingerprints. */
  readonly keySecret: Buffer;
  /** Header carrying the user id (default `x-user-id`); null: body `user` field only. */
  readonly userHeader: string | null;
  /** Header prefix for tags (default `x-metrics-tag-`); null: no tags. */
  readonly tagPrefix: string | null;
}

/** What capture reads from the client's request headers. The key is held in memory only until hashed. */
export interface HeaderAttribution {
  readonly apiKey: string | null;
  readonly origin: string | null;
  readonly user: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});
const BEARER = /^\s*bearer\s+(.+?)\s*$/i;

/** One pass over the raw request headers (names compared lower-case). */
export function readHeaderAttribution(rawHeaders: readonly string[], options: AttributionOptions): HeaderAttribution {
  let apiKey: string | null = null;
  let origin: string | null = null;
  let user: string | null = null;
  let tags: Record<string, string> | null = null;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'authorization') {
      const bearer = BEARER.exec(value);
      apiKey = bearer !== null ? (bearer[1] as string) : value.trim() || null;
    } else if ((name === 'x-api-key' || name === 'api-key') && apiKey === null) {
      apiKey = value.trim() || null; // Anthropic, Azure OpenAI
    } else if (name === 'origin') {
      origin = value;
    } else if (name === options.userHeader) {
      user = value.trim() || null;
    } else if (options.tagPrefix !== null && name.startsWith(options.tagPrefix) && name.length > options.tagPrefix.length) {
      (tags ??= {})[name.slice(options.tagPrefix.length)] = value.trim();
    }
  }
  return { apiKey, origin, user, tags: tags ?? NO_TAGS };
}

/**
 * A short keyed one-way fingerprint of an API key: `key_` + the first 16 hex digits of
 * HMAC-SHA256(secret, key). The same key always maps to the same id under one secret; without
 * the secret the id cannot be checked against guessed keys.
 */
export function fingerprintApiKey(apiKey: string, secret: Buffer): string {
  return `key_${createHmac('sha256', secret).update(apiKey).digest('hex').slice(0, 16)}`;
}

/** The secret file beside the database: created once (random, mode 0600), then reused. */
export function loadOrCreateKeySecret(dbPath: string): Buffer {
  const file = join(dirname(dbPath), 'api-key-id.secret');
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  try {
    writeFileSync(file, `${secret.toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
    return secret;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
    throw err;
  }
}
