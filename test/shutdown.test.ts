import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { stopInOrder } from '../src/shutdown.js';

const log = createLogger('silent');
const never = () => new Promise<void>(() => undefined);

describe('a stop in order, within a deadline', () => {
  it('should run the steps in order, cut one that overruns its budget, and still run the ones after it', async () => {
    const ran: string[] = [];
    const started = performance.now();
    const cut = await stopInOrder(
      [
        { name: 'delivery', run: () => (ran.push('delivery'), never()), budgetMs: 100 },
        { name: 'server', run: () => void ran.push('server'), budgetMs: 100 },
        { name: 'database', run: async () => void ran.push('database'), budgetMs: 100 },
      ],
      started + 1_000,
      log,
    );
    expect(ran).toEqual(['delivery', 'server', 'database']);
    expect(cut).toEqual(['delivery']);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('should never go past the deadline, whatever the budgets say, and count a failed step as done', async () => {
    const started = performance.now();
    const cut = await stopInOrder(
      [
        { name: 'adapters', run: () => Promise.reject(new Error('socket already closed')), budgetMs: 1_000 },
        { name: 'delivery', run: never, budgetMs: 10_000 },
        { name: 'database', run: never, budgetMs: 10_000 },
      ],
      started + 200,
      log,
    );
    expect(cut).toEqual(['delivery', 'database']);
    expect(performance.now() - started).toBeLessThan(400);
  });
});
