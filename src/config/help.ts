import { SETTINGS } from './settings.js';

const PROGRAM = 'llm-metrics-proxy';

/** `--help` output: usage line, precedence rules and one table row per setting (aliases on extra lines). */
export function helpText(): string {
  const header = ['Flag', 'Environment variable', 'Default', 'Description'];
  const rows: string[][][] = [header.map((h) => [h])];
  for (const s of Object.values(SETTINGS)) {
    const flags = [`--${s.flag}`];
    const envs = [s.env];
    for (const alias of s.aliases) {
      if (alias.flag !== undefined) flags.push(`--${alias.flag}`);
      if (alias.env !== undefined) envs.push(alias.env.join('+'));
    }
    rows.push([flags, envs, [s.default], [s.description]]);
  }
  rows.push([['-h, --help'], [''], [''], ['Print this help and exit']]);

  const widths = header.map((_, col) =>
    Math.max(...rows.map((cells) => Math.max(...(cells[col] ?? []).map((line) => line.length)))),
  );
  const lines: string[] = [];
  for (const cells of rows) {
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      const parts = cells.map((c, col) => {
        const text = c[i] ?? '';
        return col === cells.length - 1 ? text : text.padEnd(widths[col] ?? 0);
      });
      lines.push(parts.join('  ').trimEnd());
    }
  }

  return [
    `Usage: ${PROGRAM} [options]`,
    '',
    'Every setting can be given as a command-line flag, an environment variable or a line in ./.env.',
    'A flag beats the environment, which beats .env; within one source the first name listed wins.',
    'Empty environment values count as unset. Flag values may also be written --flag=value.',
    'BACKEND_HOST+BACKEND_PORT means http://BACKEND_HOST:BACKEND_PORT; a missing half defaults to 127.0.0.1 or 11434.',
    '',
    ...lines,
    '',
  ].join('\n');
}
