import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { DedicatedSession } from '../../src/db/db.port.js';
import { ClaimLocks } from '../../src/delivery/claim-locks.js';
import { prepareClaimSession, lockDue, unlock } from '../../src/delivery/claims.js';
import { down as beforeAdvisoryClaims, up as advisoryClaims } from '../../migrations/20261204_0028_advisory_claims.js';
import { claimsHarness, log } from '../support/claims-harness.js';
import { dialects } from '../support/databases.js';

/**
 * Claims (docs/delivery-engine.md, "Claims"): a claim writes nothing to the row; on PostgreSQL it
 * is an advisory lock on the dispatcher's own session, so a process (or session) that is gone has
 * no claims left, at once; a live one's are respected; an outcome is written only while its lock
 * is held; and a row recorded and unlocked by another replica after a claim's snapshot is not
 * sent again (que's stale-snapshot race).
 */
describe.each(dialects)('claims on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock, sent, sessions, openSession, dispatcher, notice, hanging, until } = h;
  const state = async () => (await h.db.db.selectFrom('deliveries').select(['state']).executeTakeFirstOrThrow()).state;

  it('should leave a row being sent pending, unwritten, and send it once', async () => {
    await notice();
    const slow = hanging();
    const d = dispatcher({ senders: new Map([['email', slow.sender]]) });
    const running = d.drain();
    await until(() => slow.waiting.length === 1);
    expect(await state()).toBe('pending');
    expect(d.claims.held()).toHaveLength(1);
    // Its own next claim does not take it again (on PostgreSQL a session's locks are re-entrant).
    expect(await d.runOnce()).toMatchObject({ sent: 0 });
    slow.release();
    expect(await running).toMatchObject({ sent: 1 });
    expect(await state()).toBe('sent');
    expect(d.claims.held()).toEqual([]);
    expect(sent).toEqual(['r1']);
    await d.stop({ deadlineMs: 200 });
  });

  it('should turn rows left `sending` by older code back to pending (migration 0028), so they go out', async () => {
    await notice();
    // The database as before 0028 (which forbids `sending`), with a row an old process left.
    await beforeAdvisoryClaims(h.db.db);
    await sql`update deliveries set state = 'sending', claimed_by = 'old', claimed_at = ${clock.now()}`.execute(h.db.db);
    await advisoryClaims(h.db.db);
    expect(await h.db.db.selectFrom('deliveries').select(['state', 'claimed_by']).executeTakeFirstOrThrow()).toEqual({ state: 'pending', claimed_by: null });
    const d = dispatcher();
    expect(await d.drain()).toMatchObject({ sent: 1 });
    await d.stop({ deadlineMs: 200 });
  });

  describe.runIf(kind === 'postgres')('between replicas (PostgreSQL)', () => {
    it('should never let a second replica take a row a live one is sending, whatever its clock says', async () => {
      await notice();
      const slow = hanging();
      const a = dispatcher({ senders: new Map([['email', slow.sender]]) });
      const running = a.drain();
      await until(() => slow.waiting.length === 1);
      const b = dispatcher({ workerId: 'w2', clock: new FixedClock('2027-01-04T09:00:00Z') });
      expect(await b.drain()).toMatchObject({ sent: 0 });
      slow.release();
      expect(await running).toMatchObject({ sent: 1 });
      expect(await b.drain()).toMatchObject({ sent: 0 });
      expect(sent).toEqual(['r1']);
      await Promise.all([a.stop({ deadlineMs: 200 }), b.stop({ deadlineMs: 200 })]);
    });

    it('should let another replica send at once a row whose claimer lost its session, and not record the lost claim’s outcome', async () => {
      await notice();
      const slow = hanging();
      const a = dispatcher({ senders: new Map([['email', slow.sender]]) });
      const running = a.runOnce();
      await until(() => slow.waiting.length === 1);
      // The process (or its connection) is gone: the database ends its session, and its claims.
      const [aSession] = sessions;
      await sql`select pg_terminate_backend(${aSession!.pid}, 5000)`.execute(h.db.db);
      const b = dispatcher({ workerId: 'w2' });
      expect(await b.drain()).toMatchObject({ sent: 1 });
      expect(sent).toEqual(['r1']);
      // Made pending again by hand, to see that a's late outcome is not written: its lock is gone.
      await sql`update deliveries set state = 'pending', sent_at = null`.execute(h.db.db);
      slow.release();
      expect(await running).toMatchObject({ sent: 1 });
      expect(await state()).toBe('pending');
      expect(a.claims.held()).toEqual([]);
      // a opens a new session at its next claim and claims again.
      expect((await a.claims.claim({ now: clock.now(), batchSize: 10, lane: 'email' })).rows).toHaveLength(1);
      expect(sessions.length).toBe(3);
      await Promise.all([a.stop({ deadlineMs: 200 }), b.stop({ deadlineMs: 200 })]);
    });

    it('should free a stopped replica’s claims at its stop', async () => {
      await notice('r1');
      await notice('r2');
      const a = dispatcher();
      const held = await a.claims.claim({ now: clock.now(), batchSize: 1, lane: 'email' });
      expect(held.rows.map((r) => r.dedupe_key)).toEqual(['r1']);
      const b = dispatcher({ workerId: 'w2' });
      expect(await b.drain()).toMatchObject({ sent: 1 });
      await a.stop({ deadlineMs: 200 });
      expect(await b.drain()).toMatchObject({ sent: 1 });
      expect(sent).toEqual(['r2', 'r1']);
      await b.stop({ deadlineMs: 200 });
    });

    it('should not send again a row another replica recorded and unlocked after this claim’s snapshot (the stale-snapshot race)', async () => {
      await notice();
      const session = await openSession();
      const lockClass = await prepareClaimSession(session);
      // Replica A's claim statement takes its snapshot now, before B records the row: held
      // here by a repeatable-read transaction on A's session, as one long statement would.
      await session.db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
        await sql`select count(*) from deliveries`.execute(trx);
        const staleA = { ...session, db: trx } as DedicatedSession;
        // Replica B sends the row, records "sent" and unlocks it.
        const b = dispatcher({ workerId: 'b' });
        expect(await b.drain()).toMatchObject({ sent: 1 });
        await b.stop({ deadlineMs: 200 });
        // The race is real: in A's snapshot the row is pending and, unlocked now, A locks it.
        const raced = await lockDue({ session: staleA, lockClass }, { now: clock.now(), batchSize: 10, lane: 'email', exclude: [] });
        expect(raced).toHaveLength(1);
        await unlock({ session: staleA, lockClass }, raced);
        // The claim reads the locked rows again in a statement of its own, which sees B's outcome.
        const claims = new ClaimLocks(h.db.db, log, async () => staleA);
        expect((await claims.claim({ now: clock.now(), batchSize: 10, lane: 'email' })).rows).toEqual([]);
        expect(claims.held()).toEqual([]);
      });
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and pid = ${session.pid}`.execute(h.db.db);
      expect(rows[0]!.n).toBe(0);
      expect(sent).toEqual(['r1']);
    });
  });
});
