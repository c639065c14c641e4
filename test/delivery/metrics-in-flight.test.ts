import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryMetrics } from '../../src/delivery/delivery-metrics.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

describe.each(dialects)('the outbox gauge while rows are in flight on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => (db = await freshDatabase(kind)));
  afterEach(async () => db?.close());

  it('should not count a row being sent also as due and not sent yet', async () => {
    const registry = new Registry();
    let dispatcher: Dispatcher | undefined;
    deliveryMetrics(db.db, clock, registry, async () => (await dispatcher?.claims.countClaimed()) ?? 0);
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'now', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'now', text: 'x' }, dueAt: clock.now() }]);
    let during = '';
    const slow: ChannelSender = { kind: 'email', send: async () => ((during = await registry.metrics()), { ok: true }) };
    dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', senders: new Map([['email', slow]]), ...(db.openSession ? { openSession: () => db.openSession!() } : {}) });
    await dispatcher.drain();
    await dispatcher.stop({ deadlineMs: 200 });
    // One row, being sent: one "sending", none "due" (the gauge's help: "due and not sent yet ... and being sent").
    expect(during).toContain('kooperator_deliveries_waiting{state="sending",channel="all"} 1');
    expect(during).toContain('kooperator_deliveries_waiting{state="due",channel="email"} 0');
  });
});
