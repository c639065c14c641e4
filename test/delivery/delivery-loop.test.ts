import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcceleratedClock, type Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
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
});
