import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { prepareClaimSession, lockDue, pickDue } from '../../src/delivery/claims.js';
import { laneLoad } from '../../src/delivery/lead.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { down, up } from '../../migrations/20261206_0032_lane_order.js';
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

  it('should class every payload written with kind invitation as planned: only invitations (and their updates) are bulk', async () => {
    await enqueue(h.db.db, [
      invitation('inv', 1000),
      invitation('inv-update', 1000, 'invitation', { sequence: '2', update: 'cancelled' }),
      invitation('offer', 1000, 'rsvp_offer', { until: at(3_600_000).toISOString() }),
      invitation('deadline', 1000, 'rsvp_deadline'),
      { ...base('odd', 1000), kind: 'invitation', payload: ['not', 'an', 'object'] } as unknown as PlannedDelivery,
      { ...base('scalar', 1000), kind: 'invitation', payload: 'invitation' } as unknown as PlannedDelivery,
      { ...base('ann', 1000), kind: 'announcement', payload: { type: 'announcement', id: '1' } },
    ]);
    const load = await laneLoad(h.db.db, 'email', clock.now(), 60_000);
    // offer, deadline and the odd ones are time-bound: counted; the rest are bulk.
    expect(load.ahead.reduce((n, a) => n + a.n, 0)).toBe(4);
    // Every row is claimed once due, whatever its payload.
    clock.advance(1000);
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 10 });
    await d.stop({ deadlineMs: 200 });
    expect(keys(rows)).toEqual(['offer', 'deadline', 'odd', 'scalar', 'inv', 'inv-update', 'ann']);
  });

  it('should claim the same after migration 0032 is undone and done again over pending rows', async () => {
    await enqueue(h.db.db, range('inv', 5).map((k) => invitation(k, -1000)));
    await enqueue(h.db.db, range('rem', 5).map((k) => reminder(k, 0)));
    const expected = [...range('rem', 5), ...range('inv', 5)];
    const claimOnce = async () => {
      const d = h.dispatcher();
      const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 20 });
      await d.stop({ deadlineMs: 200 });
      return keys(rows);
    };
    await down(h.db.db);
    const index = async () => (await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'deliveries_lane_order' and schemaname = current_schema()`.execute(h.db.db)).rows[0]!.n;
    expect(await index()).toBe(0);
    expect(await claimOnce()).toEqual(expected);
    await up(h.db.db);
    expect(await index()).toBe(1);
    expect(await claimOnce()).toEqual(expected);
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
