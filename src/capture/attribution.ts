import { createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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

const SECRET_BYTES = 32;

/**
 * The secret file beside the database: created once (random, mode 0600), then reused. It is
 * written to a temporary name and linked into place, so another process never reads it half
 * written; a file that does not hold exactly 32 bytes of hex is an error, never a weaker key.
 */
export function loadOrCreateKeySecret(dbPath: string): Buffer {
  const file = join(dirname(dbPath), 'api-key-id.secret');
  const existing = readSecret(file);
  if (existing !== null) return existing;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, `${randomBytes(SECRET_BYTES).toString('hex')}\n`, { mode: 0o600 });
  try {
    linkSync(temp, file); // fails with EEXIST if another process won the race: use theirs
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temp);
  }
  return readSecret(file) as Buffer;
}

function readSecret(file: string): Buffer | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const secret = Buffer.from(text, 'hex');
  if (!/^[0-9a-f]+$/i.test(text) || secret.length !== SECRET_BYTES) {
    throw new Error(`${file} must hold ${SECRET_BYTES} bytes as hex (delete it to generate a new one; api_key_id values will change)`);
  }
  return secret;
}
