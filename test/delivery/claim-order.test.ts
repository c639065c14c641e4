import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { statementNames } from '../../adapters/db/named-statements.js';
import { lockDueStatement, pickDue, pickDueStatement, prepareClaimSession } from '../../src/delivery/claims.js';
import { laneLoad } from '../../src/delivery/lead.js';
import { enqueue, nextDueAt, type PlannedDelivery } from '../../src/delivery/outbox.js';
import type { InvitationRef } from '../../src/invitations/plan-invitations.js';
import { claimsHarness } from '../support/claims-harness.js';
import { dialects } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';

/**
 * The order of a claim within a lane (docs/delivery-engine.md, "Order within a lane"):
 * time-bound rows due now, then time-bound rows that may go early within the lead, then bulk
 * rows (an activity's invitations, announcements, the RCPS digests) due now, each in
 * (next_attempt_at, id) order.
 * A conference's thousands of invitations due at one instant must not hold back the meeting
 * reminders due a second later; bulk rows still drain when nothing time-bound is due. An
 * invitation's update or cancellation (payload.update = '1') is time-bound: it must reach people
 * before the activity starts, whatever the backlog.
 */
type Sort = 'reminder' | 'invitation' | 'update' | 'announcement' | 'offer' | 'digest';

const RUNS = modelRuns(25);

describe.each(dialects)('the order of a claim within a lane on %s', (kind) => {
  const h = claimsHarness(kind);
  const { clock } = h;
  const at = (ms: number) => new Date(clock.now().getTime() + ms);

  /** A row of the e-mail lane of `sort`, due `dueMs` from now, with `earliest_at` (ms from now) for reminders that may go early. */
  const planned = (key: string, sort: Sort, dueMs: number, earliestMs?: number): PlannedDelivery => {
    const base = { key, place: { address: `${key}@example.org`, language: 'pl' as const }, channels: ['email' as const], dueAt: at(dueMs) };
    if (sort === 'reminder') return { ...base, kind: 'reminder', payload: { language: 'pl', title: key, text: 'x' }, ...(earliestMs === undefined ? {} : { earliestAt: at(earliestMs) }) };
    if (sort === 'announcement') return { ...base, kind: 'announcement', payload: { type: 'announcement', id: '1' } };
    if (sort === 'digest') return { ...base, kind: 'digest', payload: { type: 'digest', week: '2026-12-07' } };
    // A seat offer is kind 'invitation' too, but has its deadline: time-bound.
    if (sort === 'offer') return { ...base, kind: 'invitation', payload: { type: 'rsvp_offer', activityId: 'a', personId: '1', until: at(3_600_000).toISOString() } };
    // An update or a cancellation is written as plan-invitations.ts writes it: the same payload with update '1'.
    if (sort === 'update') return { ...base, kind: 'invitation', payload: { type: 'invitation', activityId: 'a', personId: '1', sequence: '2', update: '1' } satisfies InvitationRef };
    return { ...base, kind: 'invitation', payload: { type: 'invitation', activityId: 'a', personId: '1', sequence: '1', update: '0' } satisfies InvitationRef };
  };
  const keysOf = async (ids: number[]) => {
    if (ids.length === 0) return [];
    const rows = await h.db.db.selectFrom('deliveries').select(['id', 'dedupe_key']).where('id', 'in', ids).execute();
    const key = new Map(rows.map((r) => [Number(r.id), r.dedupe_key]));
    return ids.map((id) => key.get(id)!);
  };
  const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);

  it('should claim the reminders due a second after 300 invitations before the invitations', async () => {
    // 300 invitations due at T (queued first: lower ids), 50 reminders at T + 1 s; the clock at T + 1 s.
    await enqueue(h.db.db, range('inv', 300).map((k) => planned(k, 'invitation', -1000)));
    await enqueue(h.db.db, range('rem', 50).map((k) => planned(k, 'reminder', 0)));
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 100 });
    expect(rows.map((r) => r.dedupe_key)).toEqual([...range('rem', 50), ...range('inv', 300).slice(0, 50)]);
    await d.stop({ deadlineMs: 200 });
    // The lockless claim (PostgreSQL without a session of its own) takes the same.
    expect(await keysOf(await pickDue(h.db.db, { now: clock.now(), lane: 'email', batchSize: 100, exclude: [] }))).toEqual([...range('rem', 50), ...range('inv', 300).slice(0, 50)]);
  });

  it('should drain bulk rows when nothing time-bound is due, and never claim them early', async () => {
    await enqueue(h.db.db, range('inv', 120).map((k) => planned(k, 'invitation', 0)));
    await enqueue(h.db.db, range('ann', 30).map((k) => planned(k, 'announcement', 0)));
    await enqueue(h.db.db, [planned('inv-later', 'invitation', 30_000), planned('rem-later', 'reminder', 30_000, -60_000)]);
    const d = h.dispatcher();
    const taken: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 40, leadMs: 60_000 });
      if (rows.length === 0) break;
      taken.push(...rows.map((r) => r.dedupe_key));
    }
    await d.stop({ deadlineMs: 200 });
    // The reminder that may go early goes first; then every bulk row due now, none due later.
    expect(taken).toEqual(['rem-later', ...range('inv', 120), ...range('ann', 30)]);
  });

  it('should take time-bound rows due now, then early ones, then bulk rows due now; a seat offer is time-bound', async () => {
    await enqueue(h.db.db, [planned('inv', 'invitation', -5000), planned('ann', 'announcement', -4000)]);
    await enqueue(h.db.db, [planned('early', 'reminder', 20_000, -60_000), planned('offer', 'offer', 0), planned('notice-due', 'reminder', -1000)]);
    const claimed = async (batchSize: number) => {
      const d = h.dispatcher();
      const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize, leadMs: 60_000 });
      await d.stop({ deadlineMs: 200 });
      return rows.map((r) => r.dedupe_key);
    };
    expect(await claimed(2)).toEqual(['notice-due', 'offer']);
    expect(await claimed(3)).toEqual(['notice-due', 'offer', 'early']);
    expect(await claimed(10)).toEqual(['notice-due', 'offer', 'early', 'inv', 'ann']);
  });

  it('should claim an invitation\'s update or cancellation with the time-bound rows, before a backlog of first invitations', async () => {
    // 100 first invitations due 5 s ago (queued first), an update and a cancellation due 1 s ago, 20 reminders due now.
    await enqueue(h.db.db, range('inv', 100).map((k) => planned(k, 'invitation', -5000)));
    await enqueue(h.db.db, [planned('update', 'update', -1000), planned('cancel', 'update', -1000)]);
    await enqueue(h.db.db, range('rem', 20).map((k) => planned(k, 'reminder', 0)));
    const expected = ['update', 'cancel', ...range('rem', 20), ...range('inv', 100).slice(0, 8)];
    const d = h.dispatcher();
    const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 30, leadMs: 60_000 });
    await d.stop({ deadlineMs: 200 });
    expect(rows.map((r) => r.dedupe_key)).toEqual(expected);
    expect(await keysOf(await pickDue(h.db.db, { now: clock.now(), lane: 'email', batchSize: 30, exclude: [] }))).toEqual(expected);
  });

  it('should claim the Monday digests after the reminders due with them, never early, and leave them out of the lead', async () => {
    // 17 digests due at 08:00 (queued first), 40 reminders held to 08:00 by quiet hours, 10 that may go early; the clock at 08:00.
    await enqueue(h.db.db, range('dig', 17).map((k) => planned(k, 'digest', 0)));
    await enqueue(h.db.db, range('rem', 40).map((k) => planned(k, 'reminder', 0)));
    await enqueue(h.db.db, range('early', 10).map((k) => planned(k, 'reminder', 30_000, -60_000)));
    await enqueue(h.db.db, [planned('dig-next', 'digest', 30_000)]);
    const d = h.dispatcher();
    const taken: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { rows } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: 25, leadMs: 60_000 });
      if (rows.length === 0) break;
      taken.push(...rows.map((r) => r.dedupe_key));
    }
    await d.stop({ deadlineMs: 200 });
    expect(taken).toEqual([...range('rem', 40), ...range('early', 10), ...range('dig', 17)]);
    const load = await laneLoad(h.db.db, 'email', clock.now(), 600_000);
    expect(load.dueNow).toBe(40);
    expect(load.ahead.map((a) => a.n)).toEqual([10]);
  });

  it('should count an invitation\'s update in the lead, and not its first invitations', async () => {
    await enqueue(h.db.db, range('inv', 300).map((k) => planned(k, 'invitation', 60_000)));
    await enqueue(h.db.db, range('upd', 40).map((k) => planned(k, 'update', 60_000)));
    await enqueue(h.db.db, [planned('upd-due', 'update', -1000)]);
    const load = await laneLoad(h.db.db, 'email', clock.now(), 600_000);
    expect(load.dueNow).toBe(1);
    expect(load.ahead.map((a) => a.n)).toEqual([40]);
  });

  it('should size the lead on time-bound rows only, and still wake for bulk rows', async () => {
    await enqueue(h.db.db, range('inv', 300).map((k) => planned(k, 'invitation', -1000)));
    await enqueue(h.db.db, range('rem', 50).map((k) => planned(k, 'reminder', 60_000, -600_000)));
    const load = await laneLoad(h.db.db, 'email', clock.now(), 600_000);
    expect(load.dueNow).toBe(0);
    expect(load.ahead.map((a) => a.n)).toEqual([50]);
    expect(await nextDueAt(h.db.db, 'email')).toEqual(at(-1000));
  });

  it('should claim in the model order whatever the mix of rows, batches and lead', async () => {
    const rowArb = fc.record({
      sort: fc.constantFrom<Sort>('reminder', 'invitation', 'update', 'announcement', 'offer', 'digest'),
      due: fc.integer({ min: -30, max: 30 }),
      earliest: fc.option(fc.integer({ min: -60, max: 30 }), { nil: undefined }),
    });
    const script = fc.record({ rows: fc.array(rowArb, { minLength: 1, maxLength: 40 }), batch: fc.integer({ min: 1, max: 15 }), lead: fc.constantFrom(0, 10_000, 60_000) });
    await checkModel(`claim order on ${kind}`, script, async (s) => {
      await sql`delete from deliveries`.execute(h.db.db);
      // One enqueue per row, so ids follow the script's order.
      for (const [i, r] of s.rows.entries()) await enqueue(h.db.db, [planned(`k${i}`, r.sort, r.due * 1000, r.sort === 'reminder' && r.earliest !== undefined ? r.earliest * 1000 : undefined)]);
      const rows = await h.db.db.selectFrom('deliveries').select(['id', 'dedupe_key', 'next_attempt_at', 'earliest_at', 'kind', 'payload']).execute();
      const now = clock.now().getTime();
      const bulk = (r: (typeof rows)[number]) => {
        const payload = r.payload as { type?: string; update?: string };
        return r.kind === 'announcement' || r.kind === 'digest' || (r.kind === 'invitation' && payload.type === 'invitation' && payload.update !== '1');
      };
      const due = (r: (typeof rows)[number]) => r.next_attempt_at.getTime() <= now;
      const early = (r: (typeof rows)[number]) => !due(r) && r.next_attempt_at.getTime() <= now + s.lead && s.lead > 0 && r.earliest_at !== null && r.earliest_at.getTime() <= now;
      const inOrder = (a: (typeof rows)[number], b: (typeof rows)[number]) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || Number(a.id) - Number(b.id);
      const expected = [
        ...rows.filter((r) => !bulk(r) && due(r)).sort(inOrder),
        ...rows.filter((r) => !bulk(r) && early(r)).sort(inOrder),
        ...rows.filter((r) => bulk(r) && due(r)).sort(inOrder),
      ].map((r) => r.dedupe_key);
      const d = h.dispatcher();
      const taken: string[] = [];
      try {
        for (let i = 0; i <= expected.length; i++) {
          const { rows: batch } = await d.claims.claim({ now: clock.now(), lane: 'email', batchSize: s.batch, leadMs: s.lead });
          if (batch.length === 0) break;
          taken.push(...batch.map((r) => r.dedupe_key));
        }
      } finally {
        await d.stop({ deadlineMs: 200 });
      }
      expect(taken).toEqual(expected);
    }, RUNS);
  }, 60_000);

  it.runIf(kind === 'postgres')('should claim by a bounded range of the lane index, with no sort of the lane', async () => {
    // A lane with more than the batch on both sides, due now and ahead.
    await enqueue(h.db.db, range('inv', 2000).map((k) => planned(k, 'invitation', -1000)));
    await enqueue(h.db.db, range('rem', 2000).map((k) => planned(k, 'reminder', 0)));
    await enqueue(h.db.db, range('later', 2000).map((k, i) => planned(k, i % 3 === 0 ? 'invitation' : i % 3 === 1 ? 'update' : 'reminder', 3_600_000 + i * 1000)));
    await sql`analyze deliveries`.execute(h.db.db);
    const d = h.dispatcher();
    const plans: string[] = [];
    const claim = { now: clock.now(), lane: 'email' as const, batchSize: 100, exclude: [1, 2], leadMs: 60_000 };
    for (const statement of [lockDueStatement(1, claim), pickDueStatement(claim)]) {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${statement}`.execute(h.db.db);
      plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    await d.stop({ deadlineMs: 200 });
    console.log(plans.join('\n\n'));
    for (const plan of plans) {
      expect(plan.match(/Index Scan using deliveries_lane_order/g)).toHaveLength(2);
      expect(plan).not.toMatch(/Sort|Seq Scan/);
    }
  });
  it.runIf(kind === 'postgres')('should keep the lane index in the plan PostgreSQL may reuse for a named claim (a generic plan)', async () => {
    // The claim session sends its statements under names (adapters/db/named-statements.ts); after
    // five executions PostgreSQL may switch to a generic plan, made without the values. Forced
    // here: that plan too must walk the lane index in claim order, without a sort.
    await enqueue(h.db.db, range('inv', 2000).map((k) => planned(k, 'invitation', -1000)));
    await enqueue(h.db.db, range('rem', 2000).map((k) => planned(k, 'reminder', 0)));
    await enqueue(h.db.db, range('later', 2000).map((k, i) => planned(k, i % 2 === 0 ? 'invitation' : 'reminder', 3_600_000 + i * 1000)));
    await sql`analyze deliveries`.execute(h.db.db);
    const session = await h.openSession();
    const lockClass = await prepareClaimSession(session);
    await sql`select set_config('plan_cache_mode', 'force_generic_plan', false)`.execute(session.db);
    const claim = { now: clock.now(), lane: 'email' as const, batchSize: 100, exclude: [1, 2], leadMs: 60_000 };
    for (const statement of [lockDueStatement(lockClass, claim), pickDueStatement(claim)]) {
      const compiled = statement.compile(session.db);
      for (let i = 0; i < 3; i++) await statement.execute(session.db);
      const name = statementNames.nameFor(compiled.sql, compiled.parameters.length);
      expect(name).toBeDefined();
      const literal = (v: unknown) => `'${(v instanceof Date ? v.toISOString() : Array.isArray(v) ? `{${v.join(',')}}` : String(v)).replace(/'/g, "''")}'`;
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain execute ${sql.raw(name!)}(${sql.raw(compiled.parameters.map(literal).join(', '))})`.execute(session.db);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan, 'a generic plan names the parameters, not their values').toMatch(/\$\d/);
      expect(plan.match(/Index Scan using deliveries_lane_order/g), plan).toHaveLength(2);
      expect(plan, plan).not.toMatch(/Sort|Seq Scan/);
    }
  });
  it.runIf(kind === 'postgres')('should keep the claim serial where parallel plans look cheap, so bulk rows never come first', async () => {
    await enqueue(h.db.db, range('inv', 2000).map((k) => planned(k, 'invitation', -1000)));
    await enqueue(h.db.db, range('rem', 2000).map((k) => planned(k, 'reminder', 0)));
    await sql`analyze deliveries`.execute(h.db.db);
    const claim = { now: clock.now(), lane: 'email' as const, batchSize: 100, exclude: [], leadMs: 0 };
    // A server tuned for reports: parallel plans look free.
    const planOn = async (session: Awaited<ReturnType<typeof h.openSession>>) => {
      for (const setting of ['parallel_setup_cost', 'parallel_tuple_cost', 'min_parallel_index_scan_size', 'min_parallel_table_scan_size']) {
        await sql`select set_config(${setting}, '0', false)`.execute(session.db);
      }
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${lockDueStatement(1, claim)}`.execute(session.db);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    // A session not set up for claims reads the two ranges side by side (the check can fail)...
    expect(await planOn(await h.openSession())).toMatch(/Parallel Append/);
    // ...a claim session reads them one after the other.
    const session = await h.openSession();
    await prepareClaimSession(session);
    const plan = await planOn(session);
    expect(plan).not.toMatch(/Parallel|Gather/);
    expect(plan.match(/Index Scan using deliveries_lane_order/g)).toHaveLength(2);
  });
});
