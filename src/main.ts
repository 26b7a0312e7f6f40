import { ConfigError, HelpRequested, loadConfig, readDotenv } from './config/load-config.js';
import { createLogger } from './logger.js';
import { startService } from './service.js';

/** Exit code for invalid configuration (as most CLIs use for usage errors). */
const EXIT_CONFIG = 2;
/**
 * Hard limit for a graceful stop: the grace period plus time to flush and close, and at least
 * 10 s; the process must be gone by then.
 */
const stopDeadlineMs = (graceMs: number): number => Math.max(10_000, graceMs + 5_000);

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env, dotenv: readDotenv(process.cwd()) });
  } catch (err) {
    if (err instanceof HelpRequested) {
      process.stdout.write(`${err.text}\n`);
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nRun with --help to see every setting.\n`);
      process.exitCode = EXIT_CONFIG;
      return;
    }
    throw err;
  }

  const logger = createLogger(config.logLevel);
  let service;
  try {
    service = await startService(config, logger);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = EXIT_CONFIG;
      return;
    }
    throw err;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received; shutting down');
    const deadlineMs = stopDeadlineMs(config.shutdownTimeoutMs);
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  const code = (err as { code?: unknown }).code;
  process.stderr.write(`llm-metrics-proxy failed to start: ${(err as Error).message}${typeof code === 'string' ? ` [${code}]` : ''}\n`);
  process.exit(1);
});
