import { pino, type Logger } from 'pino';

export type { Logger };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** JSON lines on stdout (pino). Authorization headers are never logged: we log no headers at all. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'llm-metrics-proxy' } });
}
