import { pino, type Logger } from 'pino';

export type { Logger };

/** Secrets never reach the log: every path that could hold one is censored. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['*.password', '*.token', '*.secret', '*.appSecret', '*.smtpUrl', '*.imapUrl', '*.databaseUrl', 'config'],
      censor: '[hidden]',
    },
  });
}
