import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The one root logger of a process. Secrets (API keys, tokens, passwords, auth headers)
 * are redacted wherever they appear in a logged object. Modules take `log.child({ module })`.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    redact: {
      paths: [
        'apiKey', '*.apiKey', 'token', '*.token', 'password', '*.password', 'adminToken', '*.adminToken',
        'req.headers.authorization', 'headers.authorization', '*.secret',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
