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
 * its last beat it is on time, and the row it is sending must not be taken back and sent again.
 * (The heartbeat's age is backdated in the table, as test/delivery/replica-pacing.test.ts does.)
 */
describe.each(dialects)('replicas with different REPLICA_TIMEOUT_SECONDS on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let releaseSlow: (r: SendResult) => void = () => undefined;
  let bBatch: Promise<unknown> | undefined;
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await freshDatabase(kind);
    await enqueue(db.db, [{ key: 'one', kind: 'notice', place: { address: 'p@example.org', language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: 'jedna', text: 'x' }, dueAt: clock.now() }]);
  });
  afterEach(async () => {
    releaseSlow({ ok: true });
    await bBatch?.catch(() => undefined);
    await db?.close();
  });

  it('should not send twice a row a live replica (beating on its own cadence) is sending', async () => {
    const sent: string[] = [];
    const slow: ChannelSender = { kind: 'email', send: () => (sent.push('b'), new Promise<SendResult>((resolve) => (releaseSlow = resolve))) };
    const fast: ChannelSender = { kind: 'email', send: async () => (sent.push('a'), { ok: true }) };
    // b: the default 30 s (beats every 5 s); a: REPLICA_TIMEOUT_SECONDS=3 (beats every 0.5 s).
    const bReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'b', staleMs: 30_000, refreshMs: 5000 });
    const aReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'a', staleMs: 3000, refreshMs: 500 });
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', senders: new Map([['email', slow]]), replicas: bReplicas });
    const a = new Dispatcher({ db: db.db, clock, log, workerId: 'a', senders: new Map([['email', fast]]), replicas: aReplicas });

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
  it('should take back the row of a replica silent past its own timeout, whatever the judge\'s', async () => {
    const sent: string[] = [];
    const slow: ChannelSender = { kind: 'email', send: () => (sent.push('a'), new Promise<SendResult>((resolve) => (releaseSlow = resolve))) };
    const fast: ChannelSender = { kind: 'email', send: async () => (sent.push('b'), { ok: true }) };
    // a: REPLICA_TIMEOUT_SECONDS=3, claims the row and goes silent; b: the default 30 s.
    const aReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'a', staleMs: 3000, refreshMs: 500 });
    const bReplicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'b', staleMs: 30_000, refreshMs: 5000 });
    const a = new Dispatcher({ db: db.db, clock, log, workerId: 'a', senders: new Map([['email', slow]]), replicas: aReplicas });
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', senders: new Map([['email', fast]]), replicas: bReplicas });

    bBatch = a.runOnce();
    for (let i = 0; i < 50 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['a']);
    // 4 s of silence: past a's own 3 s, though well within b's 30 s.
    await sql`update dispatchers set seen_at = now() - interval '4 seconds' where worker_id = 'a'`.execute(db.db);
    await b.runOnce();
    expect(sent, 'b took back and sent the row of a, dead by its own timeout').toEqual(['a', 'b']);
  });
});
