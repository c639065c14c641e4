import { describe, expect, it } from 'vitest';
import { fetchClaimed, pickDue, type Claim } from '../../src/delivery/claims.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { claimsHarness } from '../support/claims-harness.js';
import { dialects } from '../support/databases.js';

/**
 * The widened due condition of a claim (docs/delivery-engine.md, "Sending ahead of a lump of
 * reminders"): within the lead, a row whose `earliest_at` has passed and that was never tried may
 * be claimed before its due time; nothing else may; rows due now go first; and the claim's second
 * read keeps such a row but drops one re-timed meanwhile. Rows' `earliest_at` is written directly.
 */
describe.each(dialects)('claims ahead of the due time on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock } = h;
  const at = (seconds: number) => new Date(clock.now().getTime() + seconds * 1000);

  /** A row of the e-mail lane, due `due` s from now, with `earliest_at` (s from now, or null) and `attempts`. */
  const row = async (key: string, due: number, earliest: number | null, attempts = 0) => {
    await enqueue(h.db.db, [{ key, kind: 'reminder', place: { address: `${key}@example.org`, language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: at(due) }]);
    await h.db.db.updateTable('deliveries').set({ earliest_at: earliest === null ? null : at(earliest), attempts }).where('dedupe_key', '=', key).execute();
    return (await h.db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow()).id;
  };
  const keysOf = async (ids: number[]) =>
    ids.length === 0 ? [] : (await h.db.db.selectFrom('deliveries').select(['id', 'dedupe_key']).where('id', 'in', ids).execute()).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id)).map((r) => r.dedupe_key);
  /** Claims through the dispatcher's claims (advisory locks on PostgreSQL, the in-process set on PGlite). */
  const claimKeys = async (claim: Omit<Claim, 'lane' | 'now'> & { now?: Date }) => {
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', ...claim });
    await d.stop({ deadlineMs: 200 });
    return rows.map((r) => r.dedupe_key);
  };

  it('should claim a row whose earliest_at has passed while its due time is within the lead', async () => {
    await row('early', 30, -60);
    await row('beyond', 90, -60);
    expect(await claimKeys({ batchSize: 10 })).toEqual([]);
    expect(await claimKeys({ batchSize: 10, leadMs: 60_000 })).toEqual(['early']);
    // The lone dispatcher's lockless claim (PostgreSQL without a session of its own) too.
    expect(await keysOf(await pickDue(h.db.db, { now: clock.now(), batchSize: 10, lane: 'email', exclude: [], leadMs: 60_000 }))).toEqual(['early']);
  });

  it('should never claim early a row with no earliest_at, one whose earliest_at is still ahead, or one already tried', async () => {
    await row('no-earliest', 10, null);
    await row('not-yet', 10, 5);
    await row('retried', 10, -60, 1);
    expect(await claimKeys({ batchSize: 10, leadMs: 600_000 })).toEqual([]);
    expect(await keysOf(await pickDue(h.db.db, { now: clock.now(), batchSize: 10, lane: 'email', exclude: [], leadMs: 600_000 }))).toEqual([]);
    // At their due time they are claimed as always, whatever their earliest_at.
    clock.advance(10_000);
    expect(await claimKeys({ batchSize: 10, leadMs: 600_000 })).toEqual(['no-earliest', 'not-yet', 'retried']);
  });

  it('should claim every row due now before any early one', async () => {
    // Queued first, so its id is lower: only the due order puts the due rows ahead of it.
    await row('early', 5, -60);
    await row('due-1', -1, null);
    await row('due-2', 0, -60, 2);
    expect(await claimKeys({ batchSize: 2, leadMs: 60_000 })).toEqual(['due-1', 'due-2']);
    expect(await claimKeys({ batchSize: 3, leadMs: 60_000 })).toEqual(['due-1', 'due-2', 'early']);
  });

  it('should keep early rows at the second read, and drop a row re-timed between the lock and the read', async () => {
    const kept = await row('kept', 30, -60);
    const moved = await row('moved', 30, -60);
    const later = await row('held-later', 30, -60);
    const claim = { now: clock.now(), lane: 'email' as const, leadMs: 60_000 };
    const ids = await pickDue(h.db.db, { ...claim, batchSize: 10, exclude: [] });
    expect(ids).toHaveLength(3);
    // Re-timed meanwhile: one moved out of the window, one's earliest_at put after now.
    await h.db.db.updateTable('deliveries').set({ next_attempt_at: at(3600), due_at: at(3600) }).where('id', '=', moved).execute();
    await h.db.db.updateTable('deliveries').set({ earliest_at: at(20) }).where('id', '=', later).execute();
    expect((await fetchClaimed(h.db.db, ids, claim)).map((r) => r.id)).toEqual([kept]);
    // Without the claim's lead the second read would drop the early row too.
    expect(await fetchClaimed(h.db.db, ids, { now: claim.now, lane: 'email' })).toEqual([]);
  });
});
