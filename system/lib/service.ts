/**
 * The skeleton every service's `main.ts` uses: config → logger → metrics registry →
 * start → close on SIGTERM/SIGINT. When started by the harness (an IPC channel exists),
 * it reports `{ type: 'ready', ...info }` once listening, so the parent learns the ports.
 */
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createLogger } from './logger.ts';
import { createRegistry } from './metrics.ts';
import { ConfigError } from './errors.ts';

export interface Running {
  /** What the parent needs to know: bound ports, URLs, ids. */
  info: Record<string, unknown>;
  close(): Promise<void>;
}

export interface ServiceSpec<C extends { logLevel: string }> {
  name: string;
  loadConfig(): C;
  /** Labels every metric of the process carries besides `service` (from its config). */
  metricLabels?(config: C): Record<string, string>;
  start(config: C, log: Logger, registry: Registry): Promise<Running>;
}

export async function runService<C extends { logLevel: string }>(spec: ServiceSpec<C>): Promise<void> {
  let config: C;
  try {
    config = spec.loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${spec.name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(spec.name, config.logLevel);
  const registry = createRegistry(spec.name, spec.metricLabels?.(config));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(70);
  });
  process.on('unhandledRejection', (err) => {
    log.fatal({ err }, 'unhandled rejection; exiting');
    process.exit(70);
  });

  let running: Running;
  try {
    running = await spec.start(config, log, registry);
  } catch (err) {
    log.fatal({ err }, 'failed to start');
    process.exit(1);
  }
  log.info(running.info, 'ready');
  process.send?.({ type: 'ready', ...running.info });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, 10_000);
    force.unref();
    running
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // The harness closes the IPC channel when it goes away; do not outlive it.
  process.on('disconnect', () => shutdown('parent-disconnect'));
}
