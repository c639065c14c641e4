import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind } from '../../src/ports/channel.port.js';
import { dialects, demoDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

describe.each(dialects)('the dispatcher on %s', (kind) => {
  let db: Db;
  let anna: number;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    sink.script.length = 0;
    db = await demoDatabase(kind, clock);
    anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => db?.close());

  const dispatcher = (channels: ChannelKind[] = ['email']) =>
    new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w1',
      random: () => 0.5,
      senders: new Map(channels.map((c) => [c, sinkSender(c, sink.url)])),
    });
  const planned = (over: Partial<PlannedDelivery> = {}): PlannedDelivery => ({
    key: 'k1',
    kind: 'notice',
    personId: anna,
    channels: ['email'],
    payload: { language: 'pl', title: 'Zmiana terminu', text: 'x' },
    dueAt: new Date('2027-01-04T08:00:00Z'),
    ...over,
  });
  const state = async () => db.db.selectFrom('deliveries').select(['state', 'attempts', 'last_error', 'sent_channel', 'next_attempt_at']).executeTakeFirstOrThrow();

  it('should plan a key once however often it is queued', async () => {
    expect(await enqueue(db.db, [planned(), planned()])).toBe(1);
    expect(await enqueue(db.db, [planned()])).toBe(0);
  });

  it('should send a delivery to a place (a team channel) to the address and in the language it names', async () => {
    await enqueue(db.db, [
      planned({ key: 'place', personId: undefined, place: { address: 'C0TEAMLODZ', language: 'en' }, channels: ['slack'], payload: { type: 'x' } }),
    ]);
    const seen: string[] = [];
    const d = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w1',
      senders: new Map([['slack', sinkSender('slack', sink.url)]]),
      render: async (_row, language) => (seen.push(language), { language, title: 'Ogłoszenie', text: 'x' }),
    });
    expect(await d.drain()).toMatchObject({ sent: 1 });
    expect(seen).toEqual(['en']);
    expect(sink.received).toEqual([{ address: 'C0TEAMLODZ', title: 'Ogłoszenie' }]);
  });

  it('should send what is due, to the person e-mail, and nothing early', async () => {
    await enqueue(db.db, [planned(), planned({ key: 'later', dueAt: new Date('2027-01-04T09:00:00Z') })]);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    expect(sink.received).toEqual([{ address: 'anna.nowak@example.org', title: 'Zmiana terminu' }]);
    clock.set('2027-01-04T09:00:00Z');
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
  });

  it('should wait out a rate limit (Retry-After) and then send exactly once', async () => {
    await enqueue(db.db, [planned()]);
    sink.script.push(429);
    expect(await dispatcher().drain()).toMatchObject({ sent: 0, retried: 1 });
    const waiting = await state();
    // A wait the platform named uses up no attempt (backoff.ts usesAnAttempt).
    expect(waiting).toMatchObject({ state: 'pending', attempts: 0 });
    expect(waiting.next_attempt_at.getTime() - clock.now().getTime()).toBeGreaterThanOrEqual(2000);
    clock.advance(1000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 0 });
    clock.advance(60_000);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    expect(sink.received).toHaveLength(1);
  });

  it('should record a permanent failure as dead with its reason', async () => {
    await enqueue(db.db, [planned()]);
    sink.script.push(404);
    expect(await dispatcher().drain()).toMatchObject({ failed: 1 });
    expect(await state()).toMatchObject({ state: 'failed', last_error: 'email: HTTP 404' });
  });

  it('should fall back to the next channel when the first is not linked', async () => {
    await enqueue(db.db, [planned({ channels: ['slack', 'email'] })]);
    expect(await dispatcher(['slack', 'email']).drain()).toMatchObject({ sent: 1, retried: 1 });
    expect(await state()).toMatchObject({ state: 'sent', sent_channel: 'email' });
  });

  it('should never send a reminder for a meeting that has begun: it expires', async () => {
    await enqueue(db.db, [planned({ expiresAt: new Date('2027-01-04T07:59:00Z') })]);
    expect(await dispatcher().drain()).toMatchObject({ expired: 1, sent: 0 });
    expect(sink.received).toHaveLength(0);
  });

  it('should catch up after downtime: what is still relevant goes out, what expired does not', async () => {
    await enqueue(db.db, [
      planned({ key: 'a', dueAt: new Date('2027-01-01T08:00:00Z'), expiresAt: new Date('2027-01-02T08:00:00Z') }),
      planned({ key: 'b', dueAt: new Date('2027-01-01T08:00:00Z'), expiresAt: new Date('2027-01-10T08:00:00Z') }),
    ]);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1, expired: 1 });
  });

  it('should send at once a row claimed by a worker that died: its claim ended with it', async () => {
    await enqueue(db.db, [planned()]);
    // A worker claims the row (on PostgreSQL: a lock on its own session) and dies before sending.
    const session = db.openSession ? await db.openSession() : undefined;
    const dead = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'dead', senders: new Map(), ...(session ? { openSession: async () => session } : {}) });
    expect((await dead.claims.claim({ now: clock.now(), batchSize: 10, lane: 'email' })).rows).toHaveLength(1);
    const alive = dispatcher();
    // While it lives its claim holds (PGlite has one process: there the new one is the restart).
    if (session) {
      const other = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w2', senders: new Map([['email', sinkSender('email', sink.url)]]), openSession: () => db.openSession!() });
      expect(await other.runOnce()).toMatchObject({ sent: 0 });
      await other.stop({ deadlineMs: 200 });
    }
    await session?.close();
    expect(await alive.drain()).toMatchObject({ sent: 1 });
  });
});
