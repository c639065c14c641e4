import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import type { Claim } from '../../src/delivery/claims.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, nextDueAt, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { VirtualTime } from '../support/virtual-time.js';

/**
 * Sending ahead of lumps of reminders against a model (docs/delivery-engine.md, "Sending ahead of
 * a lump of reminders"): random lumps of e-mail reminders (some never early, some with a narrow
 * window, some expiring), a random pace, refusals for pace (429 with Retry-After) and clock
 * steps, through the real dispatcher woken as the loop wakes it (EarlySends.wakeAt) on the
 * injected clock. Invariants: nothing leaves before its earliest_at, nor before the lead of the
 * claim that took it allowed; nothing after expires_at; nothing twice; a row with no
 * earliest_at never before its due time; and when the pace sufficed (no refusal, no clock step,
 * every lump's window long enough for what is due up to it) every row left by its due time, or
 * within one claim's cycle of it for a lump that one cycle sends (no lead for those).
 * Lumps of announcements (bulk rows, "Order within a lane") share the lane: they go after the
 * reminders, so the pace must suffice for the reminders alone; every announcement is sent, none
 * before its due time. A claim of them made before a lump's lead began may still be on its way
 * (its sends booked with the pacer, the next batch claimed ahead): a reminder may then leave up to
 * two claims' cycles late. MODEL_SEED and MODEL_RUNS repeat a run.
 */
interface Lump {
  /** Due this many seconds after the start. */
  dueIn: number;
  size: number;
  /** earliest_at this many seconds before due (null: never early). */
  window: number | null;
  /** expires_at this many seconds after due (null: never). */
  expiresAfter: number | null;
}
interface Script {
  perSecond: number;
  burst: number;
  lumps: Lump[];
  /** Sends (by order) the platform refuses for pace. */
  refusals: number[];
  /** Clock steps: at this many seconds after the start, by this many seconds (negative: back). */
  steps: { at: number; by: number }[];
  /**
   * Lumps of announcements (bulk), never early, never expiring: due `before` s before the early
   * window of the reminders' lump `lump` (modulo their number) opens, so they drain into it.
   */
  bulk: { lump: number; before: number; size: number }[];
}

const script: fc.Arbitrary<Script> = fc.record({
  perSecond: fc.constantFrom(5, 10, 20, 50),
  burst: fc.integer({ min: 1, max: 20 }),
  lumps: fc.array(
    fc.record({
      dueIn: fc.integer({ min: 1, max: 400 }),
      size: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 20, max: 300 })),
      window: fc.option(fc.integer({ min: 0, max: 720 }), { nil: null, freq: 4 }),
      expiresAfter: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null, freq: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  refusals: fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 3 }),
  steps: fc.array(fc.record({ at: fc.integer({ min: 0, max: 400 }), by: fc.integer({ min: -60, max: 120 }) }), { maxLength: 2 }),
  bulk: fc.array(fc.record({ lump: fc.nat(), before: fc.integer({ min: 0, max: 60 }), size: fc.integer({ min: 1, max: 400 }) }), { maxLength: 2 }),
});

const RUNS = modelRuns(30);
const log = createLogger('silent');
const CYCLE_MS = 1000;

describe.each(dialects)('sending ahead of lumps against its model on %s', (kind) => {
  let db: Db;
  beforeAll(async () => (db = await freshDatabase(kind)));
  afterAll(async () => db?.close());

  async function run(s: Script): Promise<void> {
    await sql`delete from deliveries`.execute(db.db);
    const start = Date.parse('2027-01-04T08:00:00Z');
    const clock = new FixedClock(new Date(start));
    const planned: PlannedDelivery[] = [];
    const windowOf = new Map<string, number | null>();
    s.lumps.forEach((lump, l) => {
      for (let i = 0; i < lump.size; i++) {
        const key = `l${l}-${i}`;
        const dueAt = new Date(start + lump.dueIn * 1000);
        windowOf.set(key, lump.window);
        planned.push({
          key, kind: 'reminder', place: { address: `${key}@example.org`, language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt,
          ...(lump.expiresAfter !== null ? { expiresAt: new Date(dueAt.getTime() + lump.expiresAfter * 1000) } : {}),
        });
      }
    });
    const bulkDue = s.bulk.map((b) => {
      const lump = s.lumps[b.lump % s.lumps.length]!;
      return start + Math.max(0, lump.dueIn - (lump.window ?? 0) - b.before) * 1000;
    });
    s.bulk.forEach((lump, l) => {
      for (let i = 0; i < lump.size; i++) {
        const key = `b${l}-${i}`;
        planned.push({ key, kind: 'announcement', place: { address: `${key}@example.org`, language: 'pl' }, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: new Date(bulkDue[l]!) });
      }
    });
    await enqueue(db.db, planned);
    for (const [l, lump] of s.lumps.entries()) {
      if (lump.window === null) continue;
      await sql`update deliveries set earliest_at = due_at - make_interval(secs => ${lump.window}) where dedupe_key like ${`l${l}-%`}`.execute(db.db);
    }
    const rows = new Map((await db.db.selectFrom('deliveries').selectAll().execute()).map((r) => [r.dedupe_key, r]));

    // The platform: records each send's start on the clock; refuses the scripted ones for pace.
    const delivered: { key: string; at: number }[] = [];
    let sends = 0;
    const refuse = new Set(s.refusals);
    const sender: ChannelSender = {
      kind: 'email',
      send: async (_address, message): Promise<SendResult> => {
        const at = clock.now().getTime();
        if (refuse.has(sends++)) return { ok: false, permanent: false, rateLimited: true, refusal: '429', retryAfterMs: 2000, reason: 'rate limited' };
        delivered.push({ key: message.title, at });
        return { ok: true };
      },
    };
    const time = new VirtualTime(clock);
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'm', senders: new Map([['email', sender]]), maxPaceWaitMs: CYCLE_MS, earlySendMaxMs: 600_000, sleep: time.sleep,
      pacing: (channel, address) => platformPacing(channel, address, { slack: { perSecond: 5, burst: 10 }, slackChannel: { perSecond: 1, burst: 2 }, teams: { perSecond: 50, burst: 50 }, teamsConversation: { perSecond: 1, burst: 3 }, email: { perSecond: s.perSecond, burst: s.burst }, recoveryMs: 10_000 }),
    });
    // Each claim, with what it took: the lead it was given is what allowed each of its rows.
    const claims: { now: number; leadMs: number; rows: DeliveryRow[] }[] = [];
    const claim = d.claims.claim.bind(d.claims);
    d.claims.claim = async (c: Claim) => {
      const got = await claim(c);
      claims.push({ now: c.now.getTime(), leadMs: c.leadMs ?? 0, rows: got.rows });
      return got;
    };

    const steps = [...s.steps].sort((a, b) => a.at - b.at);
    let stepped = false;
    for (let turn = 0; turn < 5000; turn++) {
      await time.run(d.drainLane('email'));
      const due = await nextDueAt(db.db, 'email');
      if (!due) break;
      const now = clock.now().getTime();
      const wake = (await d.early.wakeAt('email', due)).getTime();
      // The loop's back-off when a wake-up is already past: 100 ms.
      let to = wake > now ? wake : now + 100;
      const step = steps[0];
      if (step && start + step.at * 1000 <= to) {
        steps.shift();
        to = Math.max(now, start + step.at * 1000);
        clock.set(new Date(to + step.by * 1000));
        stepped ||= step.by !== 0;
        continue;
      }
      clock.set(new Date(to));
    }
    await d.stop({ deadlineMs: 200 });

    const sentAt = new Map<string, number>();
    for (const { key, at } of delivered) {
      expect(sentAt.has(key), `${key} sent twice`).toBe(false);
      sentAt.set(key, at);
    }
    for (const c of claims) {
      for (const r of c.rows) {
        const where = `${r.dedupe_key} claimed at ${new Date(c.now).toISOString()} with a lead of ${c.leadMs} ms`;
        expect(r.next_attempt_at.getTime(), where).toBeLessThanOrEqual(c.now + Math.ceil(c.leadMs));
        if (r.next_attempt_at.getTime() > c.now) {
          expect(r.earliest_at, where).not.toBeNull();
          expect(r.earliest_at!.getTime(), where).toBeLessThanOrEqual(c.now);
          expect(r.attempts, where).toBe(0);
        }
      }
    }
    const final = new Map((await db.db.selectFrom('deliveries').select(['dedupe_key', 'state']).execute()).map((r) => [r.dedupe_key, r.state]));
    for (const [key, row] of rows) {
      const at = sentAt.get(key);
      const where = `${key}: due ${row.due_at.toISOString()}, earliest ${row.earliest_at?.toISOString() ?? 'null'}, sent ${at === undefined ? 'never' : new Date(at).toISOString()}, ${final.get(key)}`;
      expect(['sent', 'expired'], where).toContain(final.get(key));
      if (at === undefined) continue;
      expect(at, where).toBeGreaterThanOrEqual((row.earliest_at ?? row.due_at).getTime());
      if (row.expires_at) expect(at, where).toBeLessThan(row.expires_at.getTime());
    }

    // On time where the pace sufficed: what is due up to each instant fits, at the pace, in the
    // time from the start (or from the narrowest window of those rows) to that instant.
    if (s.refusals.some((n) => n < sends) || stepped) return;
    // Reminders only: announcements go after them, whenever they were due.
    const byDue = [...rows.values()].filter((r) => r.kind === 'reminder').sort((a, b) => a.due_at.getTime() - b.due_at.getTime());
    const firstBulk = Math.min(...bulkDue);
    for (const row of byDue) {
      const t = row.due_at.getTime();
      const before = byDue.filter((r) => r.due_at.getTime() <= t);
      const from = Math.max(start, ...before.map((r) => (r.earliest_at ?? r.due_at).getTime()));
      const needs = (before.length * 1000) / s.perSecond + CYCLE_MS;
      if (needs > t - from) continue;
      const at = sentAt.get(row.dedupe_key);
      if (at === undefined) continue;
      const lump = byDue.filter((r) => r.due_at.getTime() === t).length;
      // A lump one claim's cycle sends gets no lead: it leaves from its due time, within the cycle.
      const slack = ((lump * 1000) / s.perSecond <= CYCLE_MS ? CYCLE_MS : 0) + (firstBulk <= t ? 2 * CYCLE_MS : 0);
      expect(at, `${row.dedupe_key} late: due ${row.due_at.toISOString()}, sent ${new Date(at).toISOString()}, ${before.length} due by then at ${s.perSecond}/s`).toBeLessThanOrEqual(t + slack);
    }
  }

  it('should never send a reminder before its earliest_at or its lead, after it expired, or twice, and send it on time when the pace sufficed', async () => {
    await checkModel(`early sends model on ${kind}`, script, run, RUNS);
  }, 180_000);
});
