import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SENDS = 12;

/**
 * Hostile review of 6d0135c (one AbortController per send): each send in flight listens to the
 * dispatcher's stop signal, so more than ten sends under way at once (e-mail goes 20 at a time)
 * made Node print "MaxListenersExceededWarning: Possible EventTarget memory leak detected" in
 * the service's output (seen in test/delivery/replicas.test.ts): a leak warning for what is none,
 * the listeners being removed as each send ends. The pace-wait signal was already told so.
 */
describe.each(dialects)('the stop signal with many sends in flight on %s', (kind) => {
  let db: Db | undefined;
  const warnings: string[] = [];
  const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);
  afterEach(async () => {
    process.off('warning', onWarning);
    await db?.close();
    db = undefined;
  });

  it('should not warn of a leak when more than ten sends are under way', async () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    await enqueue(
      db.db,
      Array.from({ length: SENDS }, (_, i) => ({
        key: `k${i}`,
        kind: 'notice' as const,
        personId: anna,
        channels: ['email' as const],
        payload: { language: 'pl', title: 'Zmiana terminu', text: 'x' },
        dueAt: new Date('2027-01-04T08:00:00Z'),
      })),
    );
    // Every send waits until all are under way (or a second passed), then all succeed.
    const waiting: (() => void)[] = [];
    let most = 0;
    const sender: ChannelSender = {
      kind: 'email',
      send: () =>
        new Promise<SendResult>((resolve) => {
          waiting.push(() => resolve({ ok: true }));
          most = Math.max(most, waiting.length);
          if (waiting.length >= SENDS) for (const go of waiting.splice(0)) go();
        }),
    };
    const fallback = setTimeout(() => waiting.splice(0).forEach((go) => go()), 1000);
    process.on('warning', onWarning);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', random: () => 0.5, senders: new Map([['email', sender]]) });
    const report = await dispatcher.drainLane('email');
    clearTimeout(fallback);
    // Warnings are emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
    expect(report.sent).toBe(SENDS);
    expect(most, 'sends under way at once').toBe(SENDS);
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
