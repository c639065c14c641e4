import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import { sinkSender, startSink } from '../delivery/http-sink.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * Found by review: Dispatcher.claimSize sizes a claim by the lane's pace "so that none of its rows has
 * to be put back", but ignores LiveReplicas.joiningUntil: a replica that joined where another
 * runs (also: a crashed service restarted at once, whose old heartbeat is still fresh) sends
 * nothing paced for its first refresh interval, yet claims a full pace's worth of the oldest
 * rows and puts every one back with next_attempt_at = the end of its hold. Those rows, first
 * in the queue, then fall behind rows queued after them, which the other replica sends first.
 */
describe.each(dialects)('a joining replica claims nothing it would have to put back, on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 60 }, (_, i) => ({
      key: `m-${String(i).padStart(3, '0')}`, kind: 'notice', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${String(i).padStart(3, '0')}`, text: 'x' }, dueAt: new Date(clock.now().getTime() - 60_000 + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => db?.close());

  const replica = (id: string) => {
    const replicas = new LiveReplicas({ db: db.db, clock, log, workerId: id });
    const dispatcher = new Dispatcher({
      db: db.db, clock, log, workerId: id, senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, replicas, maxPaceWaitMs: 1000,
      sleep: async (ms) => void clock.advance(ms),
    });
    return { replicas, dispatcher };
  };

  it('should not claim (and put back) rows while it holds back as a joining replica', async () => {
    const a = replica('a');
    const b = replica('b');
    expect(await a.replicas.beat()).toBe(1);
    expect(await b.replicas.beat()).toBe(2);
    expect(b.replicas.joiningUntil()).toBeDefined();

    const report = await b.dispatcher.runOnce();
    const putBack = await db.db.selectFrom('deliveries').select('dedupe_key').where('state', '=', 'pending').where('next_attempt_at', '>', clock.now()).orderBy('dedupe_key').execute();
    expect({ deferred: report.deferred, putBack: putBack.length }, 'rows claimed only to be given a later due time').toEqual({ deferred: 0, putBack: 0 });
  });

  it('the oldest rows should not go after younger ones because a joining replica claimed them', async () => {
    const a = replica('a');
    const b = replica('b');
    await a.replicas.beat();
    await b.replicas.beat();
    await b.dispatcher.runOnce();
    await a.dispatcher.runOnce();
    const titles = sink.received.map((r) => r.title).sort();
    expect(titles.length).toBeGreaterThan(0);
    // What went out is the head of the queue, as test/delivery/claim-by-pace.test.ts demands of one replica.
    expect(titles, 'the rows sent are the oldest ones').toEqual(Array.from({ length: titles.length }, (_, i) => `m${String(i).padStart(3, '0')}`));
  });
});
