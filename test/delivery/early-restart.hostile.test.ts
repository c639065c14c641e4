import { describe, expect, it } from 'vitest';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { drainEvery100ms, earlySuite, enqueueLump, log } from './early-fixture.js';

/**
 * A crash and an immediate restart just before a lump (docs/delivery-engine.md, "Two replicas"):
 * the new process has a new worker id (main.ts: pid and a random suffix). Had the dead one's
 * heartbeat counted as a live replica for its REPLICA_TIMEOUT_SECONDS, the restarted replica
 * would pace at half the platform's rate, yet size its lead on twice that half (N = 2): the lead
 * half what it needs, the lump's tail 8 s late. The heartbeat records the backend pid of the
 * replica's claim session, which PostgreSQL ends with the process: the dead row stops counting
 * at once (live-replicas.ts). Shared databases only (LiveReplicas runs on PostgreSQL).
 */
describe.each(dialects)('a restart just before a lump sent ahead on %s', (kind) => {
  const due = new Date('2027-01-04T08:01:00Z');
  const suite = earlySuite(kind, { start: '2027-01-04T08:00:00Z', fill: (db) => enqueueLump(db, 200, due) });
  const { clock } = suite;

  /** Starts a replica with its own heartbeat, as DeliveryService does on a shared database. */
  const replica = (workerId: string) => {
    const replicas = new LiveReplicas({ db: suite.db.db, clock, log, workerId });
    const time = new VirtualTime(clock);
    const d = suite.dispatcher({ workerId, time, replicas, sessions: true });
    return { d, replicas, time };
  };

  /** Drains the lump with `r` every 100 ms of the clock from 08:00:40; each row's lateness (s). */
  async function sendAll(r: ReturnType<typeof replica>): Promise<number[]> {
    clock.set('2027-01-04T08:00:40Z');
    await r.replicas.beat();
    await drainEvery100ms(r.d, r.time, new Date(due.getTime() + 120_000), async () => (await suite.pending()) > 0);
    await r.d.stop({ deadlineMs: 200 });
    expect(suite.sink.received).toHaveLength(200);
    const rows = await suite.db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).execute();
    return rows.map((row) => (row.sent_at!.getTime() - row.due_at.getTime()) / 1000);
  }

  it.runIf(kind === 'postgres')('should send the lump by its due time from a replica alone (the bound below is the dead replica’s row)', async () => {
    const lateness = await sendAll(replica('alone'));
    expect(Math.max(...lateness)).toBeLessThanOrEqual(0);
  });

  // Was a known bound (docs/delivery-engine.md, "Two replicas"): the dead row counted until it was
  // REPLICA_TIMEOUT_SECONDS old and the lump's tail was 8 s late. The row records its claim
  // session's pid, gone with the process: it no longer counts.
  it.runIf(kind === 'postgres')('should send the lump by its due time after a crash and an immediate restart with a new worker id', async () => {
    // The first lifetime claimed (its claim session open), beat, and died without stopping: its
    // row stays, and its session ends with the process (closed here, as a crash does).
    const dead = replica('1-crashed');
    await dead.d.claims.claim({ now: clock.now(), batchSize: 1, lane: 'slack' });
    expect(dead.d.claims.sessionPid()).toEqual(expect.any(Number));
    await dead.replicas.beat();
    await dead.d.claims.close();
    const lateness = await sendAll(replica('1-restarted'));
    expect(Math.max(...lateness)).toBeLessThanOrEqual(0);
  });
});
