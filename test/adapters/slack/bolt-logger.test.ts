import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../adapters/slack/bolt-logger.js';

/** Bolt's logger over a pino logger at `level` that writes its lines into an array. */
function logged(level: string) {
  const lines: { level: number; msg: string; component: string }[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger: boltLogger(log), lines };
}

describe("Bolt's log lines in pino", () => {
  it('should write a line at or above the level, objects as JSON', () => {
    const { logger, lines } = logged('debug');
    logger.debug('Received', { type: 'event' });
    expect(lines).toMatchObject([{ level: 20, component: 'slack', msg: 'Received {"type":"event"}' }]);
  });

  it('should not even put together a line below the level', () => {
    const { logger, lines } = logged('warn');
    let serialized = 0;
    logger.debug('Received', { toJSON: () => ++serialized });
    logger.warn('Slow');
    expect(serialized).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['Slow']);
  });
});
