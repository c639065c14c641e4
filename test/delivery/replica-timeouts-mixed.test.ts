import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * REPLICA_TIMEOUT_SECONDS is each replica's own setting, and each beats at a sixth of it (at
 * most every 5 s). During a rolling change of the setting (30 → 3) the 3-s replica must judge
 * the 30-s one by the 30-s one's timeout (written with its heartbeat, migration 0021): 4 s after
 * its last beat it is on time. Heartbeats now only count replicas for pacing: a claim is an
 * advisory lock on the claimer's own session (claim-locks.ts), so whatever a heartbeat says, the
 * row a live replica is sending is never sent again, and a silent replica's row is free only once
 * its session ends. (The heartbeat's age is backdated in the table, as
 * test/delivery/replica-pacing.test.ts does.) PostgreSQL only: on PGlite there is one dispatcher.
 */
describe.each(dialects.filter((k) => k === 'postgres'))('replicas with different REPLICA_TIMEOUT_SECONDS on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let releaseSlow: (r: SendResult) => void = () => undefined;
  let bBatch: Promise<unknown> | undefined;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await freshDatabase(kind);
    await enqueue(db.db, [{ key: 'one', kind: 'notice', place: { address: 'p@example.org', language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: 'jedna', text: 'x' }, dueAt: clock.now() }]);
  });
  const stops: Dispatcher[] = [];
  afterEach(async () => {
    releaseSlow({ ok: true });
    await bBatch?.catch(() => undefined);
    await Promise.all(stops.splice(0).map((d) => d.stop({ deadlineMs: 200 })));
    await db?.close();
  });

  it('should not send twice a row a live replica (beating on its own cadence) is sending', async () => {
    const sent: string[] = [];
    const slow: ChannelSender = { kind: 'email', send: () => (sent.push('b'), new Promise<SendResult>((resolve) => (releaseSlow = resolve))) };
    const fast: ChannelSender = { kind: 'email', send: async () => (sent.push('a'), { ok: true }) };
    // b: the default 30 s (beats every 5 s); a: REPLICA_TIMEOUT_SECONDS=3 (beats every 0.5 s).
    const bReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'b', staleMs: 30_000, refreshMs: 5000 });
    const aReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'a', staleMs: 3000, refreshMs: 500 });
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', senders: new Map([['email', slow]]), replicas: bReplicas, openSession: () => db.openSession!() });
    const a = new Dispatcher({ db: db.db, clock, log, workerId: 'a', senders: new Map([['email', fast]]), replicas: aReplicas, openSession: () => db.openSession!() });
    stops.push(a, b);

    bBatch = b.runOnce();
    for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['b']);
    // 4 s since b's last beat: on time for b (next beat due at 5 s), stale for a (3 s).
    await sql`update dispatchers set seen_at = now() - interval '4 seconds' where worker_id = 'b'`.execute(db.db);
    await a.runOnce();
    expect(sent, 'the row b is sending was sent again by a').toEqual(['b']);
    releaseSlow({ ok: true });
    await bBatch;
  });
  it('should leave a silent replica\'s row to it while its session lives, and send it once its session ends', async () => {
    const sent: string[] = [];
    const slow: ChannelSender = { kind: 'email', send: () => (sent.push('a'), new Promise<SendResult>((resolve) => (releaseSlow = resolve))) };
    const fast: ChannelSender = { kind: 'email', send: async () => (sent.push('b'), { ok: true }) };
    // a: REPLICA_TIMEOUT_SECONDS=3, claims the row and goes silent; b: the default 30 s.
    const aReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'a', staleMs: 3000, refreshMs: 500 });
    const bReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'b', staleMs: 30_000, refreshMs: 5000 });
    const a = new Dispatcher({ db: db.db, clock, log, workerId: 'a', senders: new Map([['email', slow]]), replicas: aReplicas, openSession: () => db.openSession!() });
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', senders: new Map([['email', fast]]), replicas: bReplicas, openSession: () => db.openSession!() });
    stops.push(a, b);

    bBatch = a.runOnce();
    for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['a']);
    // 4 s of silence: past a's own 3 s, though well within b's 30 s.
    await sql`update dispatchers set seen_at = now() - interval '4 seconds' where worker_id = 'a'`.execute(db.db);
    expect(await b.runOnce()).toMatchObject({ sent: 0 });
    expect(sent).toEqual(['a']);
    // a is gone (its session ended): b sends the row at once. (With a timeout, pg_terminate_backend
    // waits for the session to end; without one it only signals it, and b could claim before the lock goes.)
    await sql`select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = ${`kooperator claims ${process.pid}`} and pid in (select pid from pg_locks where locktype = 'advisory' and classid = 'deliveries'::regclass::oid)`.execute(db.db);
    await b.runOnce();
    expect(sent, 'b sent the row of a, whose session ended').toEqual(['a', 'b']);
  });
});
