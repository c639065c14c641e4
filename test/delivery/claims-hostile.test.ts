import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { setDueTimes } from '../../src/delivery/outbox.js';
import { claimsHarness } from '../support/claims-harness.js';
import { dialects } from '../support/databases.js';

/** Hostile review of claims as session advisory locks (docs/delivery-engine.md, "Claims"). */
describe.each(dialects)('claims under attack on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock, sent, dispatcher, notice, hanging, until } = h;

  it('should leave a row being sent as it is when its due time is moved (setDueTimes: "a row the dispatcher claimed meanwhile is left as it is")', async () => {
    await notice();
    const row = await h.db.db.selectFrom('deliveries').select(['id', 'next_attempt_at']).executeTakeFirstOrThrow();
    const slow = hanging();
    const d = dispatcher({ senders: new Map([['email', slow.sender]]) });
    const running = d.drain();
    await until(() => slow.waiting.length === 1);
    // The meeting moved by a day while the reminder is being sent: the claimed row must not move.
    const later = new Date(clock.now().getTime() + 24 * 3600_000);
    const moved = await setDueTimes(h.db.db, [{ id: Number(row.id), dueAt: later }], clock.now());
    slow.release();
    await running;
    await d.stop({ deadlineMs: 200 });
    expect(moved).toBe(0);
    const after = await h.db.db.selectFrom('deliveries').select(['state', 'due_at']).executeTakeFirstOrThrow();
    expect(after.state).toBe('sent');
    expect(new Date(after.due_at).getTime()).not.toBe(later.getTime());
  });

  describe.runIf(kind === 'postgres')('ids from 2^31 (PostgreSQL)', () => {
    it('should count two rows in flight whose ids share a lock key as two claimed rows (the metrics gauge)', async () => {
      await notice('low');
      const low = await h.db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', 'low').executeTakeFirstOrThrow();
      await sql`alter table deliveries alter column id restart with ${sql.lit(Number(low.id) + 2 ** 31)}`.execute(h.db.db);
      await notice('high');
      const slow = hanging();
      const d = dispatcher({ senders: new Map([['email', slow.sender]]) });
      const running = d.drain();
      await until(() => slow.waiting.length === 2);
      const claimed = await d.claims.countClaimed();
      slow.release();
      await running;
      await d.stop({ deadlineMs: 200 });
      expect(sent.sort()).toEqual(['high', 'low']);
      expect(claimed).toBe(2);
    });
  });
});
