import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcceleratedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import type { DispatcherOptions } from '../../src/delivery/dispatcher-options.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

let sink: Awaited<ReturnType<typeof startSink>>;
beforeAll(async () => (sink = await startSink()));
afterAll(async () => sink.close());

describe.each(dialects)('pacing on a clock 1,000 times faster than real time, on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    sink.received.length = 0;
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());

  /** `count` notices to one person by e-mail, due now on `clock`. */
  async function noticesDue(clock: AcceleratedClock, count: number): Promise<void> {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, Array.from({ length: count }, (_, i) => ({ key: `k${i + 1}`, kind: 'notice' as const, personId: person, channels: ['email' as const], payload: { language: 'pl', title: `T${i + 1}`, text: 'x' }, dueAt: clock.now() })));
  }

  /** A dispatcher sending e-mail to the sink, paced platform-wide at `pace`. */
  function emailDispatcher(clock: AcceleratedClock, pace: { perSecond: number; burst: number }, extra: Pick<DispatcherOptions, 'maxPaceWaitMs' | 'sleep'> = {}): Dispatcher {
    return new Dispatcher({ db: db.db, clock, log: createLogger('silent'), workerId: 'w1', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: () => [{ key: 'email', ...pace }], ...extra });
  }

  it('should wait the real time in which the injected clock passes the pacing wait, not that many real milliseconds', async () => {
    // One send a second (of the injected clock), burst 1: each send after the first waits about
    // a second of that clock, which at 1,000x is about a real millisecond.
    const clock = new AcceleratedClock('2027-01-04T08:00:00Z', 1000);
    await noticesDue(clock, 4);
    const waits: number[] = [];
    const dispatcher = emailDispatcher(clock, { perSecond: 1, burst: 1 }, { maxPaceWaitMs: 60_000, sleep: async (ms) => void waits.push(ms) });
    await dispatcher.drain();
    expect(sink.received).toHaveLength(4);
    expect(waits.length).toBeGreaterThan(0);
    for (const ms of waits) expect(ms).toBeLessThanOrEqual(5);
  });

  // On a clock 1,008× fast (the compressed national week) a second of pace wait is a real
  // millisecond, less than a claim takes; the longest pace wait is at least 100 real ms of the
  // clock (dispatcher.ts paceHorizonMs), so a claim at e-mail's 20 a second is a full batch of
  // 100 and none is put back. Sized on the clock's second it was 40.
  it('claims a full batch at e-mail\'s pace and puts none back', async () => {
    const clock = new AcceleratedClock('2027-01-04T08:00:00Z', 1008);
    await noticesDue(clock, 150);
    const dispatcher = emailDispatcher(clock, { perSecond: 20, burst: 20 });
    const report = await dispatcher.batch('email');
    expect(report.deferred).toBe(0);
    expect(report.sent).toBe(100);
    await dispatcher.stop();
  });
});
