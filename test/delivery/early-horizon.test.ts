import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';
import { VirtualTime } from '../support/virtual-time.js';

const log = createLogger('silent');

/**
 * A lump's horizon holds until it is passed (docs/delivery-engine.md, "The lead"), also when rows
 * that may not go early fall due before it: 60 e-mail reminders due at T and 25 notices (no
 * earliest_at) at T − 4 s need 4.25 s of the lane's ten, at 20 a second, through the real
 * dispatcher on the injected clock (as early-lump.test.ts). Once the notices were due, their
 * instant alone counted and the lead shrank to it: the lump's tail waited for T and left late.
 */
describe.each(dialects)('a lump with rows that may not go early due before it on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const due = new Date('2027-01-04T08:01:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    sink.received.length = 0;
    db = await freshDatabase(kind);
    const row = (key: string, dueAt: Date): PlannedDelivery => ({
      key, kind: key.startsWith('r') ? 'reminder' : 'notice', place: { address: `${key}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: key, text: 'x' }, dueAt, expiresAt: new Date(due.getTime() + 3600_000),
    });
    await enqueue(db.db, [...Array.from({ length: 60 }, (_, i) => row(`r${i}`, due)), ...Array.from({ length: 25 }, (_, i) => row(`n${i}`, new Date(due.getTime() - 4000)))]);
    await sql`update deliveries set earliest_at = ${new Date(due.getTime() - 360_000)} where kind = 'reminder'`.execute(db.db);
  });
  afterEach(async () => db?.close());

  it('should send every reminder by its due time, and the rows that may not go early not before theirs', async () => {
    clock.set('2027-01-04T08:00:50Z');
    const time = new VirtualTime(clock);
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs: 600_000, sleep: time.sleep,
    });
    const pending = async () => Number((await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'pending'`.execute(db.db)).rows[0]!.n);
    while ((await pending()) > 0 && clock.now() < new Date(due.getTime() + 30_000)) {
      await time.run(d.drainLane('email'));
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    const rows = await db.db.selectFrom('deliveries').select(['kind', 'state', 'sent_at', 'due_at']).execute();
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    for (const r of rows.filter((r) => r.kind === 'notice')) expect(r.sent_at!.getTime()).toBeGreaterThanOrEqual(r.due_at.getTime());
    const late = rows.filter((r) => r.kind === 'reminder').map((r) => r.sent_at!.getTime() - r.due_at.getTime());
    expect(Math.max(...late)).toBeLessThanOrEqual(0);
  });
});
