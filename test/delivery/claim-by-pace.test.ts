import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { sinkSender, startSink } from './http-sink.js';

const log = createLogger('silent');

/**
 * A claim takes no more rows than the lane's platform lets go within the longest pace wait.
 * Claiming a fixed hundred from a lane paced at 20 a second put sixty back with a later due time
 * each batch, behind rows queued after them: after a crash, the dead process's rows (first in
 * the queue) were sent 48 s after the restart instead of at once.
 */
describe.each(dialects)('claims sized by the lane’s pace on %s', (kind) => {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 200 }, (_, i) => ({
      key: `m-${String(i).padStart(3, '0')}`, kind: 'notice', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${String(i).padStart(3, '0')}`, text: 'x' }, dueAt: new Date(clock.now().getTime() - 60_000 + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => db?.close());

  const dispatcher = () =>
    new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      // A pace wait moves the test's clock instead of the wall clock.
      sleep: async (ms) => void clock.advance(ms),
    });

  it('should put no row back for pacing and send the queue in its order', async () => {
    const d = dispatcher();
    const report = await d.runOnce();
    // E-mail is paced at 20 a second with a burst of 20: the burst and one second's worth.
    expect(report.deferred).toBe(0);
    expect(report.sent).toBeGreaterThanOrEqual(20);
    expect(report.sent).toBeLessThanOrEqual(41);
    const titles = sink.received.map((r) => r.title).sort();
    expect(titles).toEqual(Array.from({ length: report.sent }, (_, i) => `m${String(i).padStart(3, '0')}`));
    // Nothing waiting was given a later due time than it had.
    const later = await db.db.selectFrom('deliveries').select('id').where('state', '=', 'pending').where('next_attempt_at', '>', clock.now()).execute();
    expect(later).toHaveLength(0);
  });

  it('should claim at least one row when the lane’s budget is spent, and still not reorder', async () => {
    const d = dispatcher();
    await d.runOnce();
    const second = await d.runOnce();
    expect(second.deferred).toBe(0);
    expect(second.sent).toBeGreaterThanOrEqual(1);
    const titles = sink.received.map((r) => r.title);
    expect([...titles].sort()).toEqual(Array.from({ length: titles.length }, (_, i) => `m${String(i).padStart(3, '0')}`));
  });
});
