import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepareClaimSession, lockDue, pickDue } from '../../src/delivery/claims.js';
import { laneLoad } from '../../src/delivery/lead.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import * as laneOrder from '../../migrations/20261206_0032_lane_order.js';
import * as updatesTimeBound from '../../migrations/20261206_0034_invitation_updates_time_bound.js';
import { claimsHarness } from '../support/claims-harness.js';
import { dialects } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';

// Hostile review of 6b3a812 (claims take a lane's time-bound rows before its bulk ones).
describe.each(dialects)('the order of a claim within a lane, attacked, on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock } = h;
  const at = (ms: number) => new Date(clock.now().getTime() + ms);
  const base = (key: string, dueMs: number) => ({ key, place: { address: `${key}@example.org`, language: 'pl' as const }, channels: ['email' as const], dueAt: at(dueMs) });
  const reminder = (key: string, dueMs: number): PlannedDelivery => ({ ...base(key, dueMs), kind: 'reminder', payload: { language: 'pl', title: key, text: 'x' } });
  const invitation = (key: string, dueMs: number, type = 'invitation', extra: Record<string, unknown> = {}): PlannedDelivery => ({
    ...base(key, dueMs),
    kind: 'invitation',
    payload: { type, activityId: 'a', personId: '1', ...extra },
  });
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
  const keys = (rows: { dedupe_key: string }[]) => rows.map((r) => r.dedupe_key);

  // Replicas are processes with sessions of their own: PostgreSQL only (PGlite is one process, one session).
  it.runIf(kind === 'postgres')('should give two replicas claiming at once disjoint rows, time-bound before bulk, none twice', async () => {
    await enqueue(h.db.db, range('inv', 60).map((k) => invitation(k, -1000)));
    await enqueue(h.db.db, range('rem', 60).map((k) => reminder(k, 0)));
    const a = h.dispatcher({ workerId: 'w1' });
    const b = h.dispatcher({ workerId: 'w2' });
    // A holds 50 reminders; B, claiming while A holds them, skips them and takes the other ten first.
    const first = await a.claims.claim({ now: clock.now(), lane: 'email', batchSize: 50 });
    expect(keys(first.rows)).toEqual(range('rem', 50));
    const second = await b.claims.claim({ now: clock.now(), lane: 'email', batchSize: 30 });
    expect(keys(second.rows)).toEqual([...range('rem', 60).slice(50), ...range('inv', 20)]);
    // Both at once for the rest: every row once in all.
    const [x, y] = await Promise.all([
      a.claims.claim({ now: clock.now(), lane: 'email', batchSize: 25 }),
      b.claims.claim({ now: clock.now(), lane: 'email', batchSize: 25 }),
    ]);
    const all = [...keys(first.rows), ...keys(second.rows), ...keys(x.rows), ...keys(y.rows)];
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBe(120);
    await a.stop({ deadlineMs: 200 });
    await b.stop({ deadlineMs: 200 });
  });

  it('should take a row due exactly now in both ranges, and a retried invitation after the time-bound rows', async () => {
    await enqueue(h.db.db, [invitation('inv-retried', -60_000), invitation('inv-now', 0), reminder('rem-now', 0), invitation('offer-now', 0, 'rsvp_offer', { until: at(3_600_000).toISOString() })]);
    // A retried invitation: one attempt used, its next attempt due earlier than everything else.
    await h.db.db.updateTable('deliveries').set({ attempts: 1, next_attempt_at: at(-30_000) }).where('dedupe_key', '=', 'inv-retried').execute();
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 10, leadMs: 60_000 });
    await d.stop({ deadlineMs: 200 });
    expect(keys(rows)).toEqual(['rem-now', 'offer-now', 'inv-retried', 'inv-now']);
    expect(await pickDue(h.db.db, { now: clock.now(), lane: 'email', batchSize: 10, exclude: [], leadMs: 60_000 })).toHaveLength(4);
  });

  it('should class every payload written with kind invitation as planned: only first invitations are bulk, an update (update = \'1\') is time-bound', async () => {
    await enqueue(h.db.db, [
      invitation('inv', 1000),
      invitation('inv-update', 1000, 'invitation', { sequence: '2', update: '1' }),
      // An update written as a JSON number reads as '1' too (->> is text): time-bound.
      invitation('inv-update-number', 1000, 'invitation', { sequence: '2', update: 1 }),
      // Not what plan-invitations.ts writes for an update: bulk, as a first invitation.
      invitation('inv-odd-update', 1000, 'invitation', { sequence: '2', update: 'cancelled' }),
      invitation('inv-null-update', 1000, 'invitation', { sequence: '1', update: null }),
      invitation('offer', 1000, 'rsvp_offer', { until: at(3_600_000).toISOString() }),
      invitation('deadline', 1000, 'rsvp_deadline'),
      { ...base('odd', 1000), kind: 'invitation', payload: ['not', 'an', 'object'] } as unknown as PlannedDelivery,
      { ...base('scalar', 1000), kind: 'invitation', payload: 'invitation' } as unknown as PlannedDelivery,
      { ...base('ann', 1000), kind: 'announcement', payload: { type: 'announcement', id: '1' } },
    ]);
    const load = await laneLoad(h.db.db, 'email', clock.now(), 60_000);
    // The updates, offer, deadline and the odd ones are time-bound: counted; the rest are bulk.
    expect(load.ahead.reduce((n, a) => n + a.n, 0)).toBe(6);
    // Every row is claimed once due, whatever its payload.
    clock.advance(1000);
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 10 });
    await d.stop({ deadlineMs: 200 });
    expect(keys(rows)).toEqual(['inv-update', 'inv-update-number', 'offer', 'deadline', 'odd', 'scalar', 'inv', 'inv-odd-update', 'inv-null-update', 'ann']);
  });

  it('should claim the same after migrations 0034 and 0032 are undone and done again over pending rows', async () => {
    await enqueue(h.db.db, range('inv', 5).map((k) => invitation(k, -1000, 'invitation', { sequence: '1', update: '0' })));
    await enqueue(h.db.db, [invitation('upd', -500, 'invitation', { sequence: '2', update: '1' })]);
    await enqueue(h.db.db, range('rem', 5).map((k) => reminder(k, 0)));
    const expected = ['upd', ...range('rem', 5), ...range('inv', 5)];
    const claimOnce = async () => {
      const d = h.dispatcher();
      const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 20 });
      await d.stop({ deadlineMs: 200 });
      return keys(rows);
    };
    const index = async () =>
      (await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'deliveries_lane_order' and schemaname = current_schema()`.execute(h.db.db)).rows.map((r) => r.def);
    expect((await index())[0]).toMatch(/'update'/);
    // Down 0034: 0032's index (every invitation bulk); the claims, no longer matching it, still take the rows in the new order.
    await updatesTimeBound.down(h.db.db);
    expect(await index()).toHaveLength(1);
    expect((await index())[0]).not.toMatch(/'update'/);
    expect(await claimOnce()).toEqual(expected);
    await laneOrder.down(h.db.db);
    expect(await index()).toHaveLength(0);
    expect(await claimOnce()).toEqual(expected);
    await laneOrder.up(h.db.db);
    await updatesTimeBound.up(h.db.db);
    expect(await index()).toHaveLength(1);
    expect((await index())[0]).toMatch(/'update'/);
    expect(await claimOnce()).toEqual(expected);
  });

  // A rolling upgrade: a replica of the version before 0034 (src/delivery/claims.ts at c094c8f,
  // lockDueStatement, verbatim but for its bulk flag written out) claims on a database migrated to
  // 0034. Its bulk flag no longer matches the index: its claims still work, in its own (old) order.
  it.runIf(kind === 'postgres')('should let a replica of the version before 0034 claim, in its old order, none twice', async () => {
    const oldBulkRow = sql<boolean>`(kind = 'announcement' or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation'))`;
    const oldLockDue = (lockClass: number, now: Date, batchSize: number, exclude: number[]) => {
      const lane = sql`state = 'pending' and (channels ->> channel_index) = 'email' and id <> all(${exclude}::bigint[])`;
      return sql<{ id: string }>`
        select c.id from (
          (select id from deliveries where ${lane} and ${oldBulkRow} is false and next_attempt_at <= ${now} order by next_attempt_at, id)
          union all
          (select id from deliveries where ${lane} and ${oldBulkRow} is true and next_attempt_at <= ${now} order by next_attempt_at, id)
          offset 0
        ) c
        where pg_try_advisory_lock(${lockClass}::int, (c.id % 2147483648)::int)
        limit ${batchSize}`;
    };
    await enqueue(h.db.db, range('inv', 300).map((k) => invitation(k, -2000, 'invitation', { sequence: '1', update: '0' })));
    await enqueue(h.db.db, range('upd', 20).map((k) => invitation(k, -1000, 'invitation', { sequence: '2', update: '1' })));
    await enqueue(h.db.db, range('rem', 300).map((k) => reminder(k, 0)));
    await sql`analyze deliveries`.execute(h.db.db);
    const oldSession = await h.openSession();
    const lockClass = await prepareClaimSession(oldSession);
    const { rows: plan } = await sql<{ 'QUERY PLAN': string }>`explain ${oldLockDue(lockClass, clock.now(), 100, [])}`.execute(oldSession.db);
    console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    const idKeys = async (ids: string[]) => {
      const rows = await h.db.db.selectFrom('deliveries').select(['id', 'dedupe_key']).where('id', 'in', ids.map(Number)).execute();
      const key = new Map(rows.map((r) => [String(r.id), r.dedupe_key]));
      return ids.map((id) => key.get(String(id))!);
    };
    // The old rule: the reminders, then the invitations (first ones and updates) in due order.
    const first = await idKeys((await oldLockDue(lockClass, clock.now(), 310, []).execute(oldSession.db)).rows.map((r) => r.id));
    expect(first).toEqual([...range('rem', 300), ...range('inv', 10)]);
    // A new replica meanwhile takes what the old one does not hold, in the new order.
    const d = h.dispatcher({ workerId: 'w2' });
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 30 });
    await d.stop({ deadlineMs: 200 });
    expect(keys(rows)).toEqual([...range('upd', 20), ...range('inv', 300).slice(10, 20)]);
  });
});

describe.each(dialects)('pickDue and lockDue in the same order, on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock } = h;
  const at = (ms: number) => new Date(clock.now().getTime() + ms);

  // PGlite has no session of its own to lock on: it claims by pickDue only.
  it.runIf(kind === 'postgres')('should take the same ids whatever the mix, the lead and the rows held already', async () => {
    const session = await h.openSession();
    const holder = { session, lockClass: await prepareClaimSession(session) };
    await checkModel(
      `pickDue = lockDue on ${kind}`,
      fc.record({
        rows: fc.array(fc.record({ bulk: fc.boolean(), due: fc.integer({ min: -20, max: 20 }), earliest: fc.option(fc.integer({ min: -40, max: 20 }), { nil: undefined }), tried: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        held: fc.array(fc.nat(29), { maxLength: 8 }),
        batch: fc.integer({ min: 1, max: 12 }),
        lead: fc.constantFrom(0, 5_000, 30_000),
      }),
      async (s) => {
        await sql`delete from deliveries`.execute(h.db.db);
        for (const [i, r] of s.rows.entries()) {
          const key = `k${i}`;
          const base = { key, place: { address: `${key}@example.org`, language: 'pl' as const }, channels: ['email' as const], dueAt: at(r.due * 1000) };
          await enqueue(h.db.db, [
            r.bulk
              ? { ...base, kind: 'invitation', payload: { type: 'invitation', activityId: 'a', personId: '1', sequence: '1', update: '' } }
              : { ...base, kind: 'reminder', payload: { language: 'pl', title: key, text: 'x' }, ...(r.earliest === undefined ? {} : { earliestAt: at(r.earliest * 1000) }) },
          ]);
          if (r.tried) await h.db.db.updateTable('deliveries').set({ attempts: 1 }).where('dedupe_key', '=', key).execute();
        }
        const ids = (await h.db.db.selectFrom('deliveries').select('id').orderBy('id').execute()).map((r) => Number(r.id));
        const exclude = [...new Set(s.held.map((i) => ids[i % ids.length]!))];
        const claim = { now: clock.now(), lane: 'email' as const, batchSize: s.batch, leadMs: s.lead, exclude };
        const picked = await pickDue(h.db.db, claim);
        const locked = await lockDue(holder, claim);
        await sql`select pg_advisory_unlock_all()`.execute(session.db);
        expect(locked).toEqual(picked);
      },
      modelRuns(40),
    );
  }, 120_000);
});
