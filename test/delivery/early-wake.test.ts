import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { dialects } from '../support/databases.js';
import { earlySuite, enqueueLump, log } from './early-fixture.js';

/**
 * Waking for a lump of reminders (docs/delivery-engine.md, "Waking"): the loop wakes at `d − max`
 * to look, at the instant a lead first lets a row go, and not before the rows' earliest_at
 * (never in a loop while it is ahead).
 */
describe.each(dialects)('waking ahead of a lump on %s', (kind) => {
  const suite = earlySuite(kind, { start: '2027-01-04T08:00:00Z' });
  let loop: DeliveryLoop | undefined;
  // Runs before the suite's afterEach throws the database away.
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 500 });
    loop = undefined;
  });

  /** `n` e-mail reminders due at `due`, free to go from `freeMs` before it (null: never early), never expiring. */
  const lump = (n: number, due: Date, freeMs: number | null, prefix = 'r') => enqueueLump(suite.db, n, due, freeMs, { prefix, expires: false });
  const dispatcher = (clock: Clock) => suite.dispatcher({ clock });

  it('should wake at d − max to look, then where the lead begins, and not before the rows’ earliest_at', async () => {
    const { clock } = suite;
    const at = (seconds: number) => new Date(clock.now().getTime() + Math.round(seconds * 1000));
    const d = dispatcher(clock);
    // A lump of 1,134 half an hour ahead, free 12 min before: nothing to read before it comes within the cap.
    await lump(1134, at(1800), 720_000);
    expect(await d.early.wakeAt('email', at(1800))).toEqual(at(1200));
    // Within the cap: at 20 a second it begins 57.7 s ahead.
    clock.set(at(1200));
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600 - 57.7));
    // A lump that may not leave so early: at its earliest_at.
    await sql`update deliveries set earliest_at = ${at(600 - 20)}`.execute(suite.db.db);
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600 - 20));
    // Rows that may never go early, and a lone reminder: at their due time.
    await sql`update deliveries set earliest_at = null`.execute(suite.db.db);
    expect(await d.early.wakeAt('email', at(600))).toEqual(at(600));
    await sql`delete from deliveries`.execute(suite.db.db);
    await lump(1, at(60), 660_000, 'lone');
    expect(await d.early.wakeAt('email', at(60))).toEqual(at(60));
    await d.stop({ deadlineMs: 200 });
  });

  it('should wake at an instant where the lead lets the lump go, not a fraction of a millisecond before it', async () => {
    const { clock } = suite;
    const at = (seconds: number) => new Date(clock.now().getTime() + Math.round(seconds * 1000));
    // At 3 a second, 100 rows need 33,333.3 ms: the lead begins at a fraction of a millisecond.
    const d = suite.dispatcher({ clock, perSecond: 3 });
    const due = at(300);
    await lump(100, due, 300_000);
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
    await lump(50, first, 600_000, 'a');
    await lump(50, second, 600_000, 'b');
    const d = dispatcher(clock);
    loop = new DeliveryLoop({ db: suite.db.db, dispatcher: d, clock, log, safetyMs: 60_000 });
    loop.start();
    const sentRows = () => suite.db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).where('state', '=', 'sent').execute();
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
    await lump(60, due, 3500);
    const d = dispatcher(clock);
    let drains = 0;
    const drainLane = d.drainLane.bind(d);
    d.drainLane = (lane) => (lane === 'email' && drains++, drainLane(lane));
    loop = new DeliveryLoop({ db: suite.db.db, dispatcher: d, clock, log, safetyMs: 60_000 });
    loop.start();
    while (clock.now().getTime() < due.getTime() - 3700) await new Promise((resolve) => setTimeout(resolve, 50));
    // Woken once at the start, and not again while the rows' earliest_at is ahead.
    expect(drains).toBe(1);
    expect(suite.sink.received).toHaveLength(0);
    const sentRows = () => suite.db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).where('state', '=', 'sent').execute();
    // Outcomes are written in groups (at most 200 ms after each is known).
    while ((await sentRows()).length < 60 && clock.now().getTime() < due.getTime() + 5000) await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = await sentRows();
    expect(sent).toHaveLength(60);
    for (const r of sent) expect(r.sent_at!.getTime()).toBeLessThanOrEqual(r.due_at.getTime());
    expect(Math.min(...sent.map((r) => r.sent_at!.getTime()))).toBeGreaterThanOrEqual(due.getTime() - 3500);
  });
});
