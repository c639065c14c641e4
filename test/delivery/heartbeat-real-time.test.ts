import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';

/** A clock the test moves, running `rate` times faster than real time (as a compressed benchmark week's). */
class SteppedClock implements Clock {
  constructor(
    public ms: number,
    readonly rate: number,
  ) {}
  now(): Date {
    return new Date(this.ms);
  }
}

/**
 * The dispatcher refreshes the replica count before every claim; a heartbeat is due after
 * `refreshMs` of REAL time, as heartbeats are aged on the database's clock. On the national
 * week's clock (1,008×) five seconds of the clock passed at nearly every claim, and each beat
 * is three statements (33,000 in the week).
 */
describe.each(dialects)('the heartbeat on a compressed clock on %s', (kind) => {
  let db: Db;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => db?.close());
  const seenAt = async () => (await db.db.selectFrom('dispatchers').select('seen_at').where('worker_id', '=', 'w').executeTakeFirstOrThrow()).seen_at.getTime();

  it('should beat after refreshMs of real time, not of the clock', async () => {
    const clock = new SteppedClock(Date.parse('2027-03-01T08:00:00Z'), 1000);
    const replicas = new LiveReplicas({ db: db.db, clock, log: createLogger('silent'), workerId: 'w', refreshMs: 5000 });
    await replicas.beat();
    const first = await seenAt();
    // A minute of the clock, 60 real ms: no beat due.
    for (let i = 0; i < 6; i++) {
      clock.ms += 10_000;
      await new Promise((r) => setTimeout(r, 10));
      await replicas.refresh();
    }
    expect(await seenAt()).toBe(first);
    // 5,000 s of the clock: five real seconds' worth, a beat is due.
    clock.ms += 5_000_000;
    await replicas.refresh();
    expect(await seenAt()).toBeGreaterThan(first);
  });
});
