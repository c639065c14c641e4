import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { MAX_TEMPORARY_ATTEMPTS } from '../../src/delivery/backoff.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { demoDatabase, dialects } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');
let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

describe.each(dialects)('rate limits in a row on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    sink.script.length = 0;
    db = await demoDatabase(kind, clock);
  });
  afterEach(async () => db?.close());

  it(`should keep waiting out ${MAX_TEMPORARY_ATTEMPTS + 2} answers of 429 with Retry-After, then send on the same channel`, async () => {
    const anna = await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    await enqueue(db.db, [{ key: 'k', kind: 'notice', personId: anna.id, channels: ['email'], payload: { language: 'pl', title: 'T', text: 'x' }, dueAt: clock.now() }]);
    const dispatcher = new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', random: () => 0.5, senders: new Map([['email', sinkSender('email', sink.url)]]) });
    for (let i = 0; i < MAX_TEMPORARY_ATTEMPTS + 2; i++) sink.script.push(429);
    for (let i = 0; i < MAX_TEMPORARY_ATTEMPTS + 3; i++) {
      await dispatcher.drain();
      clock.advance(60_000);
    }
    const row = await db.db.selectFrom('deliveries').select(['state', 'sent_channel']).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'sent', sent_channel: 'email' });
    expect(sink.received).toHaveLength(1);
  });
});
