import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { AppError } from '../errors.js';
import type { Config } from './config.js';
import { helpText } from './help.js';
import { SETTINGS, type Alias, type Setting } from './settings.js';

export { helpText };

/** Raw inputs to `loadConfig`; `main.ts` passes `process.argv.slice(2)`, `process.env`, `readDotenv(cwd)`. */
export interface ConfigSources {
  argv: string[];
  env: Record<string, string | undefined>;
  dotenv: Record<string, string>;
}

/** Every bad setting at once; `problems` holds one line per problem, each naming what the user typed. */
export class ConfigError extends AppError {
  readonly problems: string[];

  constructor(problems: string[], options?: { cause?: unknown }) {
    super('LMP_CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Thrown by `loadConfig` when `--help`/`-h` is given (even alongside bad settings). Not a failure:
 * print `text` to stdout and exit 0.
 */
export class HelpRequested extends Error {
  readonly text: string;

  constructor() {
    super('help requested');
    this.name = 'HelpRequested';
    this.text = helpText();
  }
}

/** Reads `<cwd>/.env` with `util.parseEnv`. A missing file is `{}`; an unreadable one is a ConfigError. */
export function readDotenv(cwd: string): Record<string, string> {
  const file = join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new ConfigError([`.env: cannot read ${file} (${code ?? String(err)})`], { cause: err });
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseEnv(text))) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Hides the password of `scheme://user:password@…` (up to the last `@`, in case it was not encoded). */
function redact(value: string): string {
  return value.replace(/(:\/\/[^:@/]*):.*@/s, '$1:***@');
}

function quote(value: string): string {
  const shown = redact(value);
  return JSON.stringify(shown.length > 200 ? `${shown.slice(0, 200)}…` : shown);
}

interface Cli {
  values: Map<string, string>;
  help: boolean;
  problems: string[];
}

function knownFlags(): Set<string> {
  const flags = new Set<string>();
  for (const s of Object.values(SETTINGS) as Setting<unknown>[]) {
    flags.add(s.flag);
    for (const alias of s.aliases) if (alias.flag !== undefined) flags.add(alias.flag);
  }
  return flags;
}

function parseCli(argv: string[]): Cli {
  const flags = knownFlags();
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const flag of flags) options[flag] = { type: 'string' };
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });

  const cli: Cli = { values: new Map(), help: false, problems: [] };
  let unknownAt = -1; // index of an unknown option without `=value`: a positional right after is its value
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (token.index !== unknownAt + 1 || unknownAt < 0) {
        cli.problems.push(`${quote(token.value)}: unexpected argument (this program takes no positional arguments)`);
      }
      unknownAt = -1;
      continue;
    }
    unknownAt = -1;
    if (token.name === 'help') {
      cli.help = true;
    } else if (!flags.has(token.name)) {
      cli.problems.push(`${token.rawName}: unknown option (see --help)`);
      if (!token.inlineValue) unknownAt = token.index;
    } else if (token.value === undefined) {
      cli.problems.push(`${token.rawName}: needs a value`);
    } else if (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1) {
      cli.problems.push(
        `${token.rawName}: needs a value, but the next argument ${quote(token.value)} looks like an option` +
          ` (write ${token.rawName}=<value> for a value starting with "-")`,
      );
    } else {
      cli.values.set(token.name, token.value); // a repeated flag: the last one wins
    }
  }
  return cli;
}

type SourceKind = 'cli' | 'env' | 'dotenv';
const SUFFIX: Record<SourceKind, string> = { cli: '', env: ' (from environment)', dotenv: ' (from .env)' };

interface Found {
  /** What the user typed, e.g. `--port`, `PROXY_PORT (from .env)`, `BACKEND_HOST+BACKEND_PORT (from environment)`. */
  label: string;
  suffix: string;
  values: (string | undefined)[];
  adapt: Alias['adapt'];
}

/** First hit in source order (CLI, environment, .env), and within a source primary name before aliases. */
function find(
  setting: Setting<unknown>,
  cli: Cli,
  env: Record<'env' | 'dotenv', Record<string, string | undefined>>,
): Found | undefined {
  const inputs: Alias[] = [{ env: [setting.env], flag: setting.flag }, ...setting.aliases];
  for (const input of inputs) {
    if (input.flag === undefined) continue;
    const value = cli.values.get(input.flag);
    if (value !== undefined) return { label: `--${input.flag}`, suffix: '', values: [value], adapt: input.adapt };
  }
  for (const kind of ['env', 'dotenv'] as const) {
    const record = env[kind];
    for (const input of inputs) {
      const names = input.env ?? [];
      const values = names.map((name) => (record[name] === '' ? undefined : record[name]));
      if (values.some((v) => v !== undefined)) {
        return { label: names.join('+') + SUFFIX[kind], suffix: SUFFIX[kind], values, adapt: input.adapt };
      }
    }
  }
  return undefined;
}

/**
 * Resolves every setting from CLI flags > environment > `.env` > default, validating each winner.
 * @throws HelpRequested when `--help`/`-h` is present.
 * @throws ConfigError listing every bad setting, unknown flag and stray argument.
 */
export function loadConfig(sources: ConfigSources): Config {
  const cli = parseCli(sources.argv);
  if (cli.help) throw new HelpRequested();

  const problems = [...cli.problems];
  const envSources = { env: sources.env, dotenv: sources.dotenv };
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof Config, Setting<unknown>][]) {
    const found = find(setting, cli, envSources);
    if (found === undefined) {
      config[key] = setting.schema.parse(setting.default);
      continue;
    }
    const single = found.values.length === 1 ? (found.values[0] ?? '') : undefined;
    const adapted = found.adapt ? found.adapt(found.values) : { ok: true as const, raw: single ?? '' };
    if (!adapted.ok) {
      const name = adapted.name !== undefined ? adapted.name + found.suffix : found.label;
      problems.push(`${name}: ${adapted.message}, got ${quote(adapted.got ?? single ?? '')}`);
      continue;
    }
    const result = setting.schema.safeParse(adapted.raw);
    if (result.success) {
      config[key] = result.data;
    } else {
      const message = result.error.issues[0]?.message ?? 'is invalid';
      problems.push(`${found.label}: ${message}, got ${quote(single ?? adapted.raw)}`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config as unknown as Config);
}
