import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AcceleratedClock, FixedClock, type Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import type { Lane } from '../../src/delivery/lanes.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

describe.each(dialects)('the delivery loop on %s', (kind) => {
  let db: Db;
  let loop: DeliveryLoop | undefined;
  beforeEach(async () => {
    sink.received.length = 0;
    db = await freshDatabase(kind);
  });
  afterEach(async () => {
    await loop?.stop();
    await db?.close();
  });

  it('should wake for a row whose due instant node-schedule already sees as past, without waiting for the safety re-check', async () => {
    // A clock running ten seconds behind the real one: every due instant it computes is already
    // past for node-schedule, which then schedules nothing (as happens for a row falling due
    // between the outbox query and the scheduling call).
    const clock: Clock = { now: () => new Date(Date.now() - 10_000) };
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'soon', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'Za chwilę', text: 'x' }, dueAt: new Date(clock.now().getTime() + 300) }]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', senders: new Map([['email', sinkSender('email', sink.url)]]) });
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    const deadline = Date.now() + 3000;
    while (sink.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sink.received).toHaveLength(1);
  });
  it('should wake at a due instant of a clock running 1,000 times faster than real time, not at that instant of the real clock', async () => {
    // A compressed benchmark week: the row is due ten minutes ahead on the injected clock, which
    // is 0.6 s of real time (well after the first drain, on either database). Waiting for that
    // instant of the real clock (node-schedule) would take weeks.
    const clock = new AcceleratedClock('2027-01-04T08:00:00Z', 1000);
    const person = (await db.db.insertInto('people').values({ email: 'b@example.org', name: 'B', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'ten-minutes', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'Za dziesięć minut', text: 'x' }, dueAt: new Date(clock.now().getTime() + 600_000) }]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', senders: new Map([['email', sinkSender('email', sink.url)]]) });
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    const deadline = Date.now() + 3000;
    while (sink.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sink.received).toHaveLength(1);
  });

  it('should wake, for rows queued, only the lanes they are due sooner in than their timer waits for', async () => {
    // The real time, held: the timer for a row due in an hour does not fire during the test.
    const clock = new FixedClock(new Date());
    const at = (ms: number) => new Date(clock.now().getTime() + ms);
    const person = (await db.db.insertInto('people').values({ email: 'c@example.org', name: 'C', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    const row = (key: string, dueAt: Date, channels: 'email'[] = ['email']) => ({ key, kind: 'notice', personId: person, channels, payload: { language: 'pl' as const, title: key, text: 'x' }, dueAt });
    await enqueue(db.db, [row('in-an-hour', at(3_600_000))]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', senders: new Map([['email', sinkSender('email', sink.url)]]) });
    const drains: Lane[] = [];
    const drainLane = dispatcher.drainLane.bind(dispatcher);
    dispatcher.drainLane = (lane) => (drains.push(lane), drainLane(lane));
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    await vi.waitFor(() => expect(loop!.waitsFor('email')).toEqual(at(3_600_000)), { timeout: 5000 });
    drains.length = 0;
    // A row due after the one the e-mail lane waits for: no lane drained (the lane finds it when it wakes).
    await enqueue(db.db, [row('in-two-hours', at(7_200_000))]);
    await loop.queued();
    expect(drains).toEqual([]);
    expect(loop.waitsFor('email')).toEqual(at(3_600_000));
    // A row due now: the e-mail lane alone is drained, and it is sent.
    await enqueue(db.db, [row('now', at(0))]);
    await loop.queued();
    await vi.waitFor(() => expect(sink.received.map((r) => r.title)).toEqual(['now']), { timeout: 5000 });
    expect(new Set(drains)).toEqual(new Set(['email']));
    // A lane waiting for nothing (no row had no channel): woken for its first row.
    drains.length = 0;
    await enqueue(db.db, [row('nowhere', at(0), [])]);
    await loop.queued();
    await vi.waitFor(async () => expect((await db.db.selectFrom('deliveries').select('state').where('dedupe_key', '=', 'nowhere').executeTakeFirstOrThrow()).state).toBe('failed'), { timeout: 5000 });
    expect(drains).toContain('none');
    expect(drains).not.toContain('slack');
  });

  it('should fold checks asked for while one runs into one more, which sees every row queued before it was asked for', async () => {
    const clock = new FixedClock(new Date());
    const person = (await db.db.insertInto('people').values({ email: 'd@example.org', name: 'D', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', senders: new Map([['email', sinkSender('email', sink.url)]]) });
    loop = new DeliveryLoop({ db: db.db, dispatcher, clock, log: createLogger('silent'), safetyMs: 60_000 });
    loop.start();
    await vi.waitFor(() => expect(loop!.waitsFor('email')).toBeUndefined());
    const first = loop.queued();
    await enqueue(db.db, Array.from({ length: 20 }, (_, i) => ({ key: `answer-${i}`, kind: 'notice', personId: person, channels: ['email' as const], payload: { language: 'pl' as const, title: `answer-${i}`, text: 'x' }, dueAt: clock.now() })));
    // Twenty answers told while the first check may still run: one more check for all of them.
    const checks = Array.from({ length: 20 }, () => loop!.queued());
    expect(new Set(checks).size).toBe(1);
    expect(checks[0]).not.toBe(first);
    await Promise.all(checks);
    await vi.waitFor(() => expect(sink.received).toHaveLength(20), { timeout: 5000 });
  });
});
