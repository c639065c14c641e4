import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcceleratedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

/**
 * On a clock 1,008× faster than real time (the compressed national week) a second of pace wait
 * is one real millisecond, less than a claim takes. The longest pace wait is at least 100 real ms
 * of the clock (dispatcher.ts paceHorizonMs), so a claim is sized on that: a full batch of 100 at
 * e-mail's 20 a second, none put back. Sized on the clock's second it was 40, the rest of the
 * platform's pace idle until the next claim.
 */
describe.each(dialects)('claims on a clock 1,008 times faster than real time, on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    sink.received.length = 0;
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  it('claims a full batch at e-mail\'s pace and puts none back', async () => {
    const clock = new AcceleratedClock('2027-01-04T08:00:00Z', 1008);
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, Array.from({ length: 150 }, (_, n) => ({ key: `k${n}`, kind: 'notice' as const, personId: person, channels: ['email' as const], payload: { language: 'pl', title: `T${n}`, text: 'x' }, dueAt: clock.now() })));
    const dispatcher = new Dispatcher({
      db: db.db,
      clock,
      log: createLogger('silent'),
      workerId: 'w1',
      senders: new Map([['email', sinkSender('email', sink.url)]]),
      pacing: () => [{ key: 'email', perSecond: 20, burst: 20 }],
    });
    const report = await dispatcher.batch('email');
    expect(report.deferred).toBe(0);
    expect(report.sent).toBe(100);
    await dispatcher.stop();
  });
});
