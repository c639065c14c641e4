import fc from 'fast-check';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelKind } from '../../src/ports/channel.port.js';
import { FAULTS, FaultyPlatform, type Fault } from '../support/channel-faults.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * The outbox against a model: random interleavings of planning, batches, crashes, restarts,
 * slow and failing sends, clock steps and (on PostgreSQL) a second replica. After each run,
 * every row was delivered once, its send begun before its deadline, or recorded expired or
 * failed with the reason; a row reaches a person twice only if it was in flight (claimed and
 * not yet recorded) at a crash or a stop cut short. MODEL_SEED and MODEL_RUNS repeat a run.
 */
type Action =
  | { do: 'plan'; count: number; dueInMin: number; expiresAfterMin: number | null; fallback: boolean }
  | { do: 'run' | 'crash' | 'stop'; proc: number }
  | { do: 'settle' | 'release' | 'restart' }
  | { do: 'fault'; fault: Fault }
  | { do: 'clock'; ms: number };

const actions = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ do: fc.constant('plan' as const), count: fc.integer({ min: 1, max: 6 }), dueInMin: fc.integer({ min: -10, max: 30 }), expiresAfterMin: fc.option(fc.integer({ min: 1, max: 60 }), { nil: null }), fallback: fc.boolean() }) },
    { weight: 5, arbitrary: fc.record({ do: fc.constantFrom('run' as const), proc: fc.nat(3) }) },
    { weight: 1, arbitrary: fc.record({ do: fc.constantFrom('crash' as const, 'stop' as const), proc: fc.nat(3) }) },
    { weight: 2, arbitrary: fc.record({ do: fc.constantFrom('settle' as const, 'release' as const, 'restart' as const) }) },
    { weight: 2, arbitrary: fc.record({ do: fc.constant('fault' as const), fault: fc.constantFrom(...FAULTS) }) },
    { weight: 2, arbitrary: fc.record({ do: fc.constant('clock' as const), ms: fc.integer({ min: 1000, max: 20 * 60_000 }) }) },
  ) as fc.Arbitrary<Action>,
  { minLength: 5, maxLength: 25 },
);

// 40 runs take 8–14 s per database on the shared 2-core machine.
const RUNS = modelRuns(40);
const log = createLogger('silent');

describe.each(dialects)('the outbox against its model on %s', (kind) => {
  let db: Db;
  const people: { email: number; both: number } = { email: 0, both: 0 };
  beforeAll(async () => {
    db = await freshDatabase(kind);
    const add = async (email: string) => (await db.db.insertInto('people').values({ email, name: email, language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    people.email = await add('a@example.org');
    people.both = await add('b@example.org');
    await db.db.insertInto('person_channels').values({ person_id: people.both, channel: 'slack', external_id: 'UB', address: 'UB' }).execute();
  });
  afterAll(async () => db?.close());

  /** One run of the model; throws on a broken invariant. */
  async function run(script: Action[]): Promise<void> {
    await sql`delete from deliveries`.execute(db.db);
    await sql`delete from dispatchers`.execute(db.db);
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const platform = new FaultyPlatform();
    const work: Promise<unknown>[] = [];
    /** How many times each row was in flight when its process died or was stopped short. */
    const inFlightAtCrash = new Map<string, number>();
    const procs: { id: string; alive: boolean; dispatcher: Dispatcher; replicas?: LiveReplicas; sessions: DedicatedSession[] }[] = [];
    let planned = 0;
    const alive = () => procs.filter((p) => p.alive);
    const pick = (n: number) => alive()[n % Math.max(1, alive().length)];

    const spawn = () => {
      const id = `p${procs.length}`;
      const proc = { id, alive: true, sessions: [] } as unknown as (typeof procs)[number];
      // A process's database handle dies with it: whatever it has not written by then is lost.
      const severable = db.db.withPlugin({
        transformQuery: (args) => {
          if (!proc.alive) throw new Error(`${id} is dead`);
          return args.node;
        },
        transformResult: async (args) => args.result,
      } satisfies KyselyPlugin);
      if (kind === 'postgres') proc.replicas = new LiveReplicas({ db: severable, clock, log, workerId: id });
      const senders = new Map((['email', 'slack'] as ChannelKind[]).map((c) => [c, platform.sender(c, id, clock, () => proc.alive)]));
      proc.dispatcher = new Dispatcher({
        db: severable, clock, log, workerId: id, senders, batchSize: 4, sendTimeoutMs: 50, random: () => 0.5, ...(proc.replicas ? { replicas: proc.replicas } : {}),
        // Its claims live on a session of its own, which dies with it (closed at the crash).
        ...(db.openSession ? { openSession: async () => {
          if (!proc.alive) throw new Error(`${id} is dead`);
          const session = await db.openSession!();
          proc.sessions.push(session);
          return session;
        } } : {}),
      });
      procs.push(proc);
    };
    /** A process gone without recording: its claimed rows (held in its session, or its in-flight set) may have reached people. */
    const inFlight = async (p: (typeof procs)[number]) => {
      const ids = p.dispatcher.claims.held();
      if (ids.length === 0) return;
      for (const r of await db.db.selectFrom('deliveries').select('dedupe_key').where('id', 'in', ids).execute()) {
        inFlightAtCrash.set(r.dedupe_key, (inFlightAtCrash.get(r.dedupe_key) ?? 0) + 1);
      }
    };
    const settle = async () => void (await Promise.allSettled(work.splice(0)));

    spawn();
    for (const a of script) {
      if (a.do === 'plan') {
        const rows = Array.from({ length: a.count }, (_, i): PlannedDelivery => {
          const key = `r${++planned}`;
          const dueAt = new Date(clock.now().getTime() + a.dueInMin * 60_000);
          const fallback = a.fallback && i % 2 === 0;
          return {
            key, kind: 'reminder', personId: fallback ? people.both : people.email, channels: fallback ? ['slack', 'email'] : ['email'],
            payload: { language: 'pl', title: key, text: 'x' }, dueAt, ...(a.expiresAfterMin ? { expiresAt: new Date(dueAt.getTime() + a.expiresAfterMin * 60_000) } : {}),
          };
        });
        await enqueue(db.db, rows);
      } else if (a.do === 'run') {
        const p = pick(a.proc);
        if (p) work.push(p.dispatcher.runOnce().catch(() => undefined));
      } else if (a.do === 'settle') await settle();
      else if (a.do === 'release') platform.releaseSlow();
      else if (a.do === 'fault') platform.inject(a.fault);
      else if (a.do === 'clock') clock.advance(a.ms);
      else if (a.do === 'crash') {
        const p = pick(a.proc);
        if (!p) continue;
        await inFlight(p);
        p.alive = false;
        platform.crashed(p.id);
        // Its session ends with it, and so do its claims: nothing waits for a heartbeat to go stale.
        await Promise.all(p.sessions.map((s) => s.close()));
        // Its heartbeat stops (it only counts for pacing shares); the model skips the 30 s it takes to go stale.
        await sql`update dispatchers set seen_at = now() - interval '1 minute' where worker_id = ${p.id}`.execute(db.db);
      } else if (a.do === 'stop') {
        const p = pick(a.proc);
        if (!p) continue;
        await inFlight(p);
        await p.dispatcher.stop({ deadlineMs: 150 });
        await p.replicas?.stop();
        p.alive = false;
      } else if (a.do === 'restart' && alive().length < (kind === 'postgres' ? 2 : 1)) spawn();
      // Let started batches move on between actions, as they would in a process.
      await new Promise((r) => setImmediate(r));
    }

    // The end: every platform answers, one process (at least) runs until nothing is left.
    platform.releaseSlow();
    await settle();
    if (alive().length === 0) spawn();
    for (let i = 0; i < 24; i++) {
      clock.advance(61 * 60_000);
      await Promise.all(alive().map((p) => p.dispatcher.drain()));
      const open = await db.db.selectFrom('deliveries').select('id').where('state', 'in', ['pending']).execute();
      if (open.length === 0) break;
    }
    for (const p of alive()) await p.dispatcher.stop({ deadlineMs: 100 });

    const rows = await db.db.selectFrom('deliveries').select(['dedupe_key', 'state', 'last_error', 'expires_at']).execute();
    for (const row of rows) {
      const deliveries = platform.delivered.filter((d) => d.title === row.dedupe_key);
      const allowed = inFlightAtCrash.get(row.dedupe_key) ?? 0;
      const where = `${row.dedupe_key} (${row.state}, ${row.last_error ?? 'no reason'}): delivered ${deliveries.length}×, in flight at ${allowed} crash(es)`;
      expect(['sent', 'expired', 'failed'], where).toContain(row.state);
      if (row.state === 'sent') expect(deliveries.length, where).toBeGreaterThanOrEqual(1);
      else expect(row.last_error, where).toBeTruthy();
      expect(deliveries.length, where).toBeLessThanOrEqual((row.state === 'sent' ? 1 : 0) + allowed);
      for (const d of deliveries) if (row.expires_at) expect(d.startedAt.getTime(), where).toBeLessThan(row.expires_at.getTime());
    }
  }

  it('should send every due row once before its deadline, or record why not, whatever happens', async () => {
    await checkModel(`outbox model on ${kind}`, actions, run, RUNS);
  }, 120_000);
});
