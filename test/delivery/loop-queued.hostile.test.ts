import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { emailPacing, lump } from './early-fixture.js';
import { sinkSender, startSink } from './http-sink.js';

let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

/**
 * DeliveryLoop.queued (rows queued by an answer, a form, a confirmation) wakes only lanes with a
 * row due sooner than their timer waits for. Hostile cases: rows joining the lump a lane's timer
 * was sized for (early sends), and a lane whose timer fired and whose drain then failed.
 */
describe.each(dialects)('rows queued beside a lane’s timer on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  let loop: DeliveryLoop | undefined;
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 500 });
    loop = undefined;
    await db?.close();
  });
  // A clock a day behind the real one: node-schedule sees every instant as past, so the loop's
  // timers wait the injected clock's time (real timers, as in delivery-loop.test.ts).
  const clock: Clock = { now: () => new Date(Date.now() - 86_400_000) };
  const sentRows = () => db.db.selectFrom('deliveries').select(['dedupe_key', 'sent_at', 'due_at']).where('state', '=', 'sent').execute();

  it('should send reminders an answer adds to the instant a lane waits for by their due time (the lead starts earlier with them)', async () => {
    ({ db, faults } = await faultyDatabase(kind));
    const due = new Date(clock.now().getTime() + 8000);
    // One notice due in 8 s (never early): with a cap of 6 s the lane looks again at now + 6 s.
    await enqueue(db.db, [{ key: 'notice', kind: 'notice', place: { address: 'n@example.org', language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: 'n', text: 'x' }, dueAt: due }]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: emailPacing(20), earlySendMaxMs: 6000 });
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    await vi.waitFor(() => expect(loop!.waitsFor('email')).toEqual(due), { timeout: 5000 });
    // Answers queue 100 reminders at that same instant, free to go 6 s early: at 20 a second they
    // need 5 s and a cycle, so the lane must start at due − 6 s, not at the look it armed for.
    await enqueue(db.db, lump(100, due, 6000, { expires: false }));
    await loop.queued();
    while ((await sentRows()).length < 101 && clock.now().getTime() < due.getTime() + 8000) await new Promise((resolve) => setTimeout(resolve, 50));
    const sent = await sentRows();
    expect(sent).toHaveLength(101);
    // The reminders by their due time (the notice, never early, goes at it).
    const late = sent.filter((r) => r.dedupe_key !== 'notice').map((r) => r.sent_at!.getTime() - r.due_at.getTime());
    expect(late).toHaveLength(100);
    expect(Math.max(...late)).toBeLessThanOrEqual(0);
  }, 30_000);

  it('should wake a lane at once for a row due now when its timer fired and its drain failed (not at the safety re-check)', async () => {
    ({ db, faults } = await faultyDatabase(kind));
    const notice = (key: string, dueAt: Date) => ({ key, kind: 'notice', place: { address: `${key}@example.org`, language: 'pl' as const }, channels: ['email' as const], payload: { language: 'pl' as const, title: key, text: 'x' }, dueAt });
    sink.received.length = 0;
    await enqueue(db.db, [notice('first', new Date(clock.now().getTime() + 1500))]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]) });
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    await vi.waitFor(() => expect(loop!.waitsFor('email')).toBeDefined(), { timeout: 5000 });
    // The claim at the timer's wake-up fails (the database away for a moment).
    faults.failFirst(/is true and next_attempt_at <=/);
    await vi.waitFor(() => expect(faults.queries.some((q) => q.failed)).toBe(true), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // An answer queues a row due now.
    await enqueue(db.db, [notice('second', clock.now())]);
    await loop.queued();
    await vi.waitFor(() => expect(sink.received.map((r) => r.title)).toContain('second'), { timeout: 3000 });
  }, 30_000);
});
