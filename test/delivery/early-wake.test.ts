import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock, type Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

const log = createLogger('silent');

/**
 * Waking for a lump of reminders (docs/delivery-engine.md, "Waking"): the loop wakes at `d − max`
 * to look, at the instant a lead first lets a row go, and not before the rows' earliest_at
 * (never in a loop while it is ahead).
 */
describe.each(dialects)('waking ahead of a lump on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  let loop: DeliveryLoop | undefined;

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    sink.received.length = 0;
    db = await freshDatabase(kind);
  });
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 500 });
    loop = undefined;
    await db?.close();
  });

  /** `n` e-mail reminders due at `due`, free to go from `earliest` (null: never early). */
  const lump = async (n: number, due: Date, earliest: Date | null, prefix = 'r') => {
    await enqueue(db.db, Array.from({ length: n }, (_, i) => ({
      key: `${prefix}-${i}`, kind: 'reminder', place: { address: `${prefix}${i}@example.org`, language: 'pl' as const }, channels: ['email' as const],
      payload: { language: 'pl', title: `${prefix}${i}`, text: 'x' }, dueAt: due,
    })));
    await sql`update deliveries set earliest_at = ${earliest} where dedupe_key like ${`${prefix}-%`}`.execute(db.db);
  };
  const dispatcher = (clock: Clock) =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, earlySendMaxMs: 600_000 });

  it('should wake at d − max to look, then where the lead begins, and not before the rows’ earliest_at', async () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const at = (seconds: number) => new Date(clock.now().getTime() + Math.round(seconds * 1000));
    const d = dispatcher(clock);
    // A lump of 1,134 half an hour ahead: nothing to read before it comes within the cap.
    await lump(1134, at(1800), at(1800 - 720));
    expect(await d.early.wakeAt('email', at(1800))).toEqual(at(1200));
    // Within the cap: at 20 a second it begins 57.7 s ahead.
    clock.set(at(1200));
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600 - 57.7));
    // A lump that may not leave so early: at its earliest_at.
    await sql`update deliveries set earliest_at = ${at(600 - 20)}`.execute(db.db);
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600 - 20));
    // Rows that may never go early, and a lone reminder: at their due time.
    await sql`update deliveries set earliest_at = null`.execute(db.db);
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600));
    await sql`delete from deliveries`.execute(db.db);
    await lump(1, at(60), at(-600), 'lone');
    expect(await d.early.wakeAt('email', at(60))).toEqual(at(60));
    await d.stop({ deadlineMs: 200 });
  });

  it('should wake at an instant where the lead lets the lump go, not a fraction of a millisecond before it', async () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const at = (seconds: number) => new Date(clock.now().getTime() + Math.round(seconds * 1000));
    // At 3 a second, 100 rows need 33,333.3 ms: the lead begins at a fraction of a millisecond.
    const slow = { ...DEFAULT_PACING, email: { perSecond: 3, burst: 3 } };
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]),
      pacing: (channel, address) => platformPacing(channel, address, slow), earlySendMaxMs: 600_000,
    });
    const due = at(300);
    await lump(100, due, at(0));
    const wake = await d.early.wakeAt('email', due);
    expect(wake.getTime()).toBeLessThan(due.getTime() - 34_000);
    clock.set(wake);
    // Woken there, the lane finds its lead: else the drain claims nothing and the loop backs off.
    expect(await d.early.leadMs('email', true)).toBe(due.getTime() - wake.getTime());
    await d.stop({ deadlineMs: 200 });
  });

  it('should send two lumps close together by their due times through the loop', async () => {
    const clock: Clock = { now: () => new Date(Date.now() - 86_400_000) };
    const first = new Date(clock.now().getTime() + 4000);
    const second = new Date(first.getTime() + 2000);
    // 50 + 50 rows at 20 a second need 5 s and a cycle: the lane starts at once, 6 s before the second lump.
    await lump(50, first, new Date(first.getTime() - 600_000), 'a');
    await lump(50, second, new Date(second.getTime() - 600_000), 'b');
    const d = dispatcher(clock);
    loop = new DeliveryLoop({ db: db.db, dispatcher: d, clock, log, safetyMs: 60_000 });
    loop.start();
    const sentRows = () => db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).where('state', '=', 'sent').execute();
    while ((await sentRows()).length < 100 && clock.now().getTime() < second.getTime() + 5000) await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = await sentRows();
    expect(sent).toHaveLength(100);
    const late = sent.map((r) => r.sent_at!.getTime() - r.due_at.getTime());
    expect(Math.max(...late)).toBeLessThanOrEqual(0);
  });

  it('should send a lump by its due time, waking at its rows’ earliest_at and not looking in between', async () => {
    // The loop's timers are real: a clock a day behind the real one makes node-schedule see
    // every instant as past, so the loop waits the injected clock's time (as in delivery-loop.test.ts).
    const clock: Clock = { now: () => new Date(Date.now() - 86_400_000) };
    const due = new Date(clock.now().getTime() + 6000);
    // 60 rows at 20 a second need 3 s and a cycle: a lead from 4 s before; they may go from 3.5 s before.
    await lump(60, due, new Date(due.getTime() - 3500));
    const d = dispatcher(clock);
    let drains = 0;
    const drainLane = d.drainLane.bind(d);
    d.drainLane = (lane) => (lane === 'email' && drains++, drainLane(lane));
    loop = new DeliveryLoop({ db: db.db, dispatcher: d, clock, log, safetyMs: 60_000 });
    loop.start();
    while (clock.now().getTime() < due.getTime() - 3700) await new Promise((resolve) => setTimeout(resolve, 50));
    // Woken once at the start, and not again while the rows' earliest_at is ahead.
    expect(drains).toBe(1);
    expect(sink.received).toHaveLength(0);
    const sentRows = () => db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).where('state', '=', 'sent').execute();
    // Outcomes are written in groups (at most 200 ms after each is known).
    while ((await sentRows()).length < 60 && clock.now().getTime() < due.getTime() + 5000) await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = await sentRows();
    expect(sent).toHaveLength(60);
    for (const r of sent) expect(r.sent_at!.getTime()).toBeLessThanOrEqual(r.due_at.getTime());
    expect(Math.min(...sent.map((r) => r.sent_at!.getTime()))).toBeGreaterThanOrEqual(due.getTime() - 3500);
  });
});
