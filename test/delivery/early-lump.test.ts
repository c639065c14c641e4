import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { sinkSender, startSink } from './http-sink.js';
import { VirtualTime } from '../support/virtual-time.js';

const log = createLogger('silent');

/**
 * A lump of reminders sent ahead (docs/delivery-engine.md, "Sending ahead of a lump of
 * reminders"): 200 e-mail reminders due at one instant, at e-mail's 20 a second (burst 20),
 * through the real dispatcher to an HTTP sink. Without a lead the last leaves about 9 s late;
 * with one, all are out by their due time. Time is the injected clock (`VirtualTime`); between
 * drains the clock moves on by 100 ms, the way the loop would look again.
 */
describe.each(dialects)('a lump of reminders sent ahead on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const due = new Date('2027-01-04T08:01:00Z');

  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sink.received.length = 0;
    ({ db, faults } = await faultyDatabase(kind));
    const rows: PlannedDelivery[] = Array.from({ length: 200 }, (_, i) => ({
      key: `r-${i}`, kind: 'reminder', place: { address: `p${i}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `r${i}`, text: 'x' }, dueAt: due, expiresAt: new Date(due.getTime() + 3600_000),
    }));
    await enqueue(db.db, rows);
    // What the planner writes for a reminder 1 h before its meeting (a tenth of the time left): 6 min early at most.
    await sql`update deliveries set earliest_at = ${new Date(due.getTime() - 360_000)}`.execute(db.db);
  });
  afterEach(async () => db?.close());

  /** Drains the e-mail lane every 100 ms of the clock until nothing is pending; returns each row's lateness (s). */
  async function sendAll(earlySendMaxMs: number, logger = log): Promise<number[]> {
    clock.set('2027-01-04T08:00:40Z');
    const time = new VirtualTime(clock);
    const d = new Dispatcher({
      db: db.db, clock, log: logger, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs, sleep: time.sleep,
    });
    const pending = async () => Number((await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'pending'`.execute(db.db)).rows[0]!.n);
    while ((await pending()) > 0 && clock.now() < new Date(due.getTime() + 120_000)) {
      await time.run(d.drainLane('email'));
      clock.advance(100);
    }
    await d.stop({ deadlineMs: 200 });
    const sent = await db.db.selectFrom('deliveries').select(['state', 'sent_at', 'due_at']).execute();
    expect(sent.every((r) => r.state === 'sent')).toBe(true);
    expect(sink.received).toHaveLength(200);
    return sent.map((r) => (r.sent_at!.getTime() - r.due_at.getTime()) / 1000);
  }

  it('should leave the lump’s tail about 9 s late without a lead', async () => {
    const lateness = await sendAll(0);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeGreaterThan(8);
  });

  it('should send every reminder of the lump by its due time, starting about 11 s ahead', async () => {
    const lateness = await sendAll(600_000);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(0);
    // 200 rows at 20 a second and one claim's cycle: 11 s, not minutes.
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-11.2);
    expect(Math.min(...lateness)).toBeLessThan(-9);
  });

  it('should keep early rows claimed, and not send them again, while their outcomes cannot be recorded', async () => {
    // Every write to deliveries fails from now on, as on a full disk (claims-unrecordable.test.ts).
    await sql`create function refuse_writes() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device'; end $$`.execute(db.db);
    await sql`create trigger refuse_writes before update on deliveries for each row execute function refuse_writes()`.execute(db.db);
    clock.set('2027-01-04T08:00:50Z');
    const time = new VirtualTime(clock);
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sinkSender('email', sink.url)]]), pacing: platformPacing, maxPaceWaitMs: 1000,
      earlySendMaxMs: 600_000, sleep: time.sleep, ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
    });
    for (let i = 0; i < 20; i++) {
      await time.run(d.drainLane('email')).catch(() => undefined);
      clock.advance(100);
    }
    // The lump went out ahead of its due time, each row once, and stays claimed past it.
    expect(clock.now() > due).toBe(true);
    const titles = sink.received.map((r) => r.title);
    expect(titles).toHaveLength(200);
    expect(new Set(titles).size).toBe(200);
    expect(d.claims.held()).toHaveLength(200);
    await d.stop({ deadlineMs: 200 });
  });

  it.runIf(kind === 'postgres')('should share a lump between two replicas, each at its half of the pace, all by its due time and each row once', async () => {
    clock.set('2027-01-04T08:00:30Z');
    const time = new VirtualTime(clock);
    const by = new Map<string, string>();
    const replica = (id: string) => {
      const replicas = new LiveReplicas({ db: db.db, clock, log, workerId: id });
      const sender = sinkSender('email', sink.url);
      const d = new Dispatcher({
        db: db.db, clock, log, workerId: id, pacing: platformPacing, maxPaceWaitMs: 1000, earlySendMaxMs: 600_000, sleep: time.sleep, replicas,
        openSession: () => db.openSession!(),
        senders: new Map([['email', { kind: 'email', send: (address, message) => (by.set(message.title, id), sender.send(address, message)) }]]),
      });
      return { d, replicas };
    };
    const a = replica('a');
    const b = replica('b');
    await a.replicas.beat();
    await b.replicas.beat();
    await a.replicas.beat();
    expect([a.replicas.count, b.replicas.count]).toEqual([2, 2]);
    const pending = async () => Number((await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'pending'`.execute(db.db)).rows[0]!.n);
    // Each replica drains on its own and looks again 100 ms after its drain ended, as two
    // processes would (in lock-step, one drained the whole lump while the other waited for it).
    const running = new Map<string, Promise<unknown>>();
    while ((await pending()) > 0 && clock.now() < new Date(due.getTime() + 60_000)) {
      for (const [id, r] of [['a', a], ['b', b]] as const) {
        if (!running.has(id)) running.set(id, r.d.drainLane('email').catch(() => undefined).finally(() => running.delete(id)));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
      time.step(100);
    }
    await Promise.all([a.d.stop({ deadlineMs: 200 }), b.d.stop({ deadlineMs: 200 })]);
    const titles = sink.received.map((r) => r.title);
    expect(new Set(titles).size).toBe(200);
    expect(titles).toHaveLength(200);
    expect([...by.values()].filter((id) => id === 'a').length).toBeGreaterThan(50);
    expect([...by.values()].filter((id) => id === 'b').length).toBeGreaterThan(50);
    const rows = await db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).execute();
    const lateness = rows.map((r) => (r.sent_at!.getTime() - r.due_at.getTime()) / 1000);
    expect(Math.max(...lateness)).toBeLessThanOrEqual(0);
    // At the deployment's 20 a second, as one replica alone: about 11 s ahead, not 21.
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(-11.2);
  });

  it('should claim as without a lead, and say so, when the lead’s statement fails', async () => {
    faults.failAll(/min\(earliest_at\)/);
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const lateness = await sendAll(600_000, logger);
    expect(Math.min(...lateness)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lateness)).toBeGreaterThan(8);
    expect(lines.some((l) => l.msg.includes('could not size the lead'))).toBe(true);
  });
});
