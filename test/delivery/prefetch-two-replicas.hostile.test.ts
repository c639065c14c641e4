import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * Hostile review of claim pipelining (fc17d78): two replicas on one PostgreSQL, each prefetching
 * its next batch while its paced tail waits, one of them stopped mid-way: every row is sent
 * exactly once (passes: what was tried).
 * The last test fails: every pace wait adds an abort listener to one AbortSignal (dispatcher.ts
 * `pause`), so a batch of more than ten paced rows makes Node print "MaxListenersExceededWarning:
 * Possible EventTarget memory leak detected" on the service's stderr.
 */
describe.each(dialects.filter((d) => d === 'postgres'))('two prefetching replicas on %s', (kind) => {
  let db: Db;
  const sent: string[] = [];
  const platform: ChannelSender = { kind: 'email', send: async (address, message) => (sent.push(`${address} ${message.title}`), await new Promise((r) => setTimeout(r, 5)), { ok: true }) };
  beforeEach(async () => {
    sent.length = 0;
    db = await freshDatabase(kind);
    const base = Date.now() - 60_000;
    const rows: PlannedDelivery[] = Array.from({ length: 120 }, (_, i) => ({
      key: `m-${i}`, kind: 'notice', place: { address: `p${i % 7}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${String(i).padStart(3, '0')}`, text: 'x' }, dueAt: new Date(base + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => db?.close());

  const dispatcher = (id: string) =>
    new Dispatcher({
      db: db.db, clock: systemClock, log, workerId: id, batchSize: 10, senders: new Map([['email', platform]]), maxPaceWaitMs: 300,
      pacing: (channel, address) => platformPacing(channel, address, { slack: { perSecond: 5, burst: 10 }, slackChannel: { perSecond: 1, burst: 2 }, teams: { perSecond: 50, burst: 50 }, teamsConversation: { perSecond: 1, burst: 3 }, email: { perSecond: 100, burst: 10 }, recoveryMs: 10_000 }),
      openSession: () => db.openSession!(),
    });

  it('should send each row once with one replica stopped mid-way (across replicas, and after a stop, no order is promised)', async () => {
    const a = dispatcher('a');
    const b = dispatcher('b');
    const da = a.drainLane('email');
    const db1 = b.drainLane('email');
    await new Promise((r) => setTimeout(r, 150));
    await b.stop({ deadlineMs: 300 });
    await db1.catch(() => undefined);
    await da;
    const c = dispatcher('c');
    await c.drainLane('email');
    expect(sent.length).toBe(new Set(sent).size);
    expect(new Set(sent).size).toBe(120);
    await a.stop({ deadlineMs: 200 });
    await c.stop({ deadlineMs: 200 });
  });

  it('should pace a batch of twenty rows without Node warning of an event-listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const waits: number[] = [];
      const d = new Dispatcher({
        db: db.db, clock: systemClock, log, workerId: 'w', batchSize: 20, senders: new Map([['email', platform]]), maxPaceWaitMs: 5000,
        pacing: (channel, address) => platformPacing(channel, address, { slack: { perSecond: 5, burst: 10 }, slackChannel: { perSecond: 1, burst: 2 }, teams: { perSecond: 50, burst: 50 }, teamsConversation: { perSecond: 1, burst: 3 }, email: { perSecond: 10, burst: 1 }, recoveryMs: 10_000 }),
        openSession: () => db.openSession!(),
        // Pace waits that end only at the stop.
        sleep: (ms) => (waits.push(ms), new Promise(() => undefined)),
      });
      const draining = d.batch('email');
      for (const end = Date.now() + 5000; waits.length < 19 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
      expect(waits.length).toBeGreaterThanOrEqual(11);
      await d.stop({ deadlineMs: 300 });
      await draining.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      expect(warnings.filter((w) => w.includes('MaxListenersExceeded'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
