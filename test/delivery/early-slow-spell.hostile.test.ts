import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';
import { VirtualTime } from '../support/virtual-time.js';

const log = createLogger('silent');

/**
 * A rate measured in a slow spell (throughput.ts: kept once the lane's claims no longer come
 * back full) sizes a later lump's lead: the platform answered in 0.5 s one at a time, about 2 a
 * second, then recovered. The later lead is too large (the lump goes earlier than it needs),
 * which earliest_at and EARLY_SEND_MAX_SECONDS bound; nothing may go before its earliest_at, and
 * nothing late (docs/delivery-engine.md, "The lead").
 */
describe.each(dialects)('a lump after a slow spell on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const first = new Date('2027-01-04T08:01:00Z');
  const second = new Date('2027-01-04T08:11:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    db = await freshDatabase(kind);
    const lump = (prefix: string, n: number, due: Date): PlannedDelivery[] => Array.from({ length: n }, (_, i) => ({
      key: `${prefix}-${String(i).padStart(3, '0')}`, kind: 'reminder', place: { address: `${prefix}${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `${prefix}${i}`, text: 'x' }, dueAt: due, expiresAt: new Date(due.getTime() + 3600_000),
    }));
    await enqueue(db.db, [...lump('a', 100, first), ...lump('b', 100, second)]);
    // The first lump may not go early; the second from 2 minutes before its due time.
    await sql`update deliveries set earliest_at = ${new Date(second.getTime() - 120_000)} where dedupe_key like 'b-%'`.execute(db.db);
  });
  afterEach(async () => db?.close());

  it('should send the later lump neither before its earliest_at nor late, though its lead was sized on the slow rate', async () => {
    const time = new VirtualTime(clock);
    const inner = sinkSender('email', sink.url);
    let slow = true;
    const sent: { at: number; title: string }[] = [];
    const sender: ChannelSender = {
      kind: 'email',
      concurrency: 1,
      async send(address, message) {
        const at = clock.now().getTime();
        if (slow) await time.sleep(500);
        const result = await inner.send(address, message);
        if (result.ok) sent.push({ at, title: message.title });
        return result;
      },
    };
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sender]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs: 600_000, sleep: time.sleep, ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
    });
    clock.set(first);
    const pending = async (prefix: string) => Number((await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'pending' and dedupe_key like ${`${prefix}-%`}`.execute(db.db)).rows[0]!.n);
    while ((await pending('a')) > 0 && clock.now() < new Date(first.getTime() + 120_000)) {
      await time.run(d.drainLane('email'));
      clock.advance(100);
    }
    // The slow spell was measured: about 2 a second.
    const measured = (d as unknown as { lanePerSecond(lane: string): number }).lanePerSecond('email');
    expect(measured).toBeLessThan(3);
    slow = false;
    clock.set(new Date(second.getTime() - 180_000));
    while ((await pending('b')) > 0 && clock.now() < new Date(second.getTime() + 60_000)) {
      await time.run(d.drainLane('email'));
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    const b = sent.filter((s) => s.title.startsWith('b'));
    expect(b).toHaveLength(100);
    const earliest = Math.min(...b.map((s) => s.at));
    const latest = Math.max(...b.map((s) => s.at));
    // Never before earliest_at, never late.
    expect(earliest).toBeGreaterThanOrEqual(second.getTime() - 120_000);
    expect(latest).toBeLessThanOrEqual(second.getTime());
    // Too early, as the suspicion says: 100 rows at 20 a second need about 6 s; sized on 2.1 a
    // second the lump began 48.6 s ahead and ended 44.6 s ahead (a bound, not a fault: see the doc).
    expect(second.getTime() - earliest).toBeGreaterThan(30_000);
  });
});
