import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../src/log.js';

/**
 * Bolt's and the WebClient's log lines into our pino logger (and its redaction), instead of
 * Bolt's ConsoleLogger. The level stays pino's: Bolt's setLevel() calls are ignored.
 */
export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack' });
  const write = (level: 'debug' | 'info' | 'warn' | 'error') => (...parts: unknown[]) => {
    // Bolt logs at debug several times per request, some lines with whole objects: a line
    // pino would drop is not put together at all.
    if (!child.isLevelEnabled(level)) return;
    const err = parts.find((p) => p instanceof Error);
    const text = parts.filter((p) => !(p instanceof Error)).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    if (err) child[level]({ err }, text);
    else child[level](text);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => {},
    getLevel: () => {
      const level = child.level;
      if (level === 'trace' || level === 'debug') return LogLevel.DEBUG;
      if (level === 'info') return LogLevel.INFO;
      if (level === 'warn') return LogLevel.WARN;
      return LogLevel.ERROR;
    },
    setName: () => {},
  };
}
