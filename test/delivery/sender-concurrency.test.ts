import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const tick = () => new Promise((r) => setTimeout(r, 5));

/**
 * A sender that sends only two at once (ChannelSender.concurrency, e-mail's pooled connections):
 * a paced lane hands it no third send while two are under way, so nothing queues inside it after
 * its pace turn (a queue that would later leave in one burst, faster than the pace: issue 17, the
 * relay refused it and e-mail went at 64% of its rate). The sends still go in the queue's order.
 */
describe.each(dialects)('a paced sender with a concurrency on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const started: string[] = [];
  const answers: ((result: SendResult) => void)[] = [];
  let underWay = 0;
  let most = 0;
  const platform: ChannelSender = {
    kind: 'email',
    concurrency: 2,
    send: (address) => {
      started.push(address);
      most = Math.max(most, ++underWay);
      return new Promise((resolve) => answers.push((result) => (underWay--, resolve(result))));
    },
  };

  beforeEach(async () => {
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 8 }, (_, i) => ({
      key: `m-${i}`, kind: 'notice', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: new Date(clock.now().getTime() - 60_000 + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => {
    await db?.close();
  });

  it('has at most two sends under way, in the queue order, and sends all', async () => {
    // Paced far above what 8 sends need: no pace wait, only the sender's own limit holds them.
    const pacing = { ...DEFAULT_PACING, email: { perSecond: 1000, burst: 1000 } };
    const dispatcher = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', batchSize: 10, senders: new Map([['email', platform]]), maxPaceWaitMs: 1000,
      pacing: (channel, address) => platformPacing(channel, address, pacing),
      ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
    });
    const drained = dispatcher.drain();
    for (let answered = 0; answered < 8; ) {
      await tick();
      expect(underWay).toBeLessThanOrEqual(2);
      const next = answers.shift();
      if (next) (next({ ok: true }), answered++);
    }
    const report = await drained;
    expect(report.sent).toBe(8);
    expect(most).toBe(2);
    expect(started).toEqual(Array.from({ length: 8 }, (_, i) => `p${i}@example.org`));
    await dispatcher.stop();
  });
});
