import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryMetrics, pacingMetrics } from '../../src/delivery/delivery-metrics.js';
import { pacingFrom, DEFAULT_PACING } from '../../src/delivery/platform-pacing.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

describe.each(dialects)('the outbox on /metrics on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => (db = await freshDatabase(kind)));
  afterEach(async () => db?.close());

  it('should show what is due per channel and count outcomes, without counting the whole table', async () => {
    const registry = new Registry();
    let dispatcher: Dispatcher | undefined;
    const onResult = deliveryMetrics(db.db, clock, registry, async () => (await dispatcher?.claims.countClaimed()) ?? 0);
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    const row = (key: string, dueAt: Date) => ({ key, kind: 'notice', personId: person, channels: ['email' as const], payload: { language: 'pl' as const, title: key, text: 'x' }, dueAt });
    await enqueue(db.db, [row('now', clock.now()), row('later', new Date('2027-02-01T08:00:00Z'))]);
    expect(await registry.metrics()).toContain('kooperator_deliveries_waiting{state="due",channel="email"} 1');
    const sender: ChannelSender = { kind: 'email', send: async () => ({ ok: true }) };
    let sending = '';
    const slow: ChannelSender = { kind: 'email', send: async () => ((sending = await registry.metrics()), { ok: true }) };
    dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', senders: new Map([['email', slow]]), onResult, ...(db.openSession ? { openSession: () => db.openSession!() } : {}) });
    await dispatcher.drain();
    // While it was being sent it counted as being sent (a claim, not a stored state).
    expect(sending).toContain('kooperator_deliveries_waiting{state="sending",channel="all"} 1');
    const text = await registry.metrics();
    expect(text).toContain('kooperator_deliveries_waiting{state="due",channel="email"} 0');
    expect(text).toContain('kooperator_deliveries_waiting{state="sending",channel="all"} 0');
    expect(text).toContain('kooperator_deliveries_total{outcome="sent",channel="email"} 1');
    await dispatcher.stop({ deadlineMs: 200 });
  });

  it('should tell how early a reminder sent ahead of its due time went, and count it 0 late', async () => {
    const registry = new Registry();
    const onResult = deliveryMetrics(db.db, clock, registry, async () => 0);
    const row = (dueAt: Date) => ({ due_at: dueAt }) as DeliveryRow;
    onResult(row(new Date(clock.now().getTime() + 30_000)), 'sent', 'email');
    onResult(row(new Date(clock.now().getTime() - 5_000)), 'sent', 'email');
    const text = await registry.metrics();
    expect(text).toContain('kooperator_delivery_early_seconds_sum{channel="email"} 30');
    expect(text).toContain('kooperator_delivery_early_seconds_count{channel="email"} 1');
    expect(text).toContain('kooperator_delivery_lateness_seconds_sum{channel="email"} 5');
    expect(text).toContain('kooperator_delivery_lateness_seconds_count{channel="email"} 2');
    expect(text).toContain('kooperator_delivery_lateness_seconds_bucket{le="0.1",channel="email"} 1');
  });

  it('should show the pace each platform is sent at now and count the refusals for pace', async () => {
    const registry = new Registry();
    let dispatcher: Dispatcher | undefined;
    const onRefused = pacingMetrics(registry, () => dispatcher!.paceNow());
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'k', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'k', text: 'x' }, dueAt: clock.now() }]);
    // A relay answering 421 (no Retry-After: SMTP names none).
    const relay: ChannelSender = { kind: 'email', send: async () => ({ ok: false, permanent: false, rateLimited: true, refusal: '421', reason: '421 4.7.0 too many messages' }) };
    dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', senders: new Map([['email', relay]]), pacing: pacingFrom(DEFAULT_PACING), onRefused, ...(db.openSession ? { openSession: () => db.openSession!() } : {}) });
    expect(await registry.metrics()).toContain('kooperator_pace_messages_per_second{channel="email"} 20');
    expect(await dispatcher.drain()).toMatchObject({ retried: 1 });
    const text = await registry.metrics();
    expect(text).toContain('kooperator_pace_refusals_total{channel="email",code="421"} 1');
    // Halved after the refusal: 10 a second until it recovers; Slack and Teams untouched.
    expect(text).toContain('kooperator_pace_messages_per_second{channel="email"} 10');
    expect(text).toContain('kooperator_pace_messages_per_second{channel="slack"} 5');
    expect(text).toContain('kooperator_pace_messages_per_second{channel="teams"} 50');
    await dispatcher.stop({ deadlineMs: 200 });
  });
});
