import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { VirtualTime } from '../support/virtual-time.js';
import { drainEvery100ms, earlySuite, enqueueLump, log } from './early-fixture.js';

/**
 * A lump of reminders sent ahead (docs/delivery-engine.md, "Sending ahead of a lump of
 * reminders"): 200 e-mail reminders due at one instant, at e-mail's 20 a second (burst 20),
 * through the real dispatcher to an HTTP sink. Without a lead the last leaves about 9 s late;
 * with one, all are out by their due time. Time is the injected clock (`VirtualTime`); between
 * drains the clock moves on by 100 ms, the way the loop would look again.
 */
describe.each(dialects)('a lump of reminders sent ahead on %s', (kind) => {
  let faults: DatabaseFaults;
  const due = new Date('2027-01-04T08:01:00Z');
  const suite = earlySuite(kind, {
    start: '2027-01-04T08:00:00Z',
    open: async (k) => {
      const faulty = await faultyDatabase(k);
      faults = faulty.faults;
      return faulty.db;
    },
    // Free to go from 6 min before their due time (PLANNER_LEAD_MS).
    fill: (db) => enqueueLump(db, 200, due),
  });
  const { clock } = suite;

  /** Drains the e-mail lane every 100 ms of the clock until nothing is pending; returns each row's lateness (s). */
  async function sendAll(earlySendMaxMs: number, logger = log): Promise<number[]> {
    clock.set('2027-01-04T08:00:40Z');
    const time = new VirtualTime(clock);
    const d = suite.dispatcher({ log: logger, earlySendMaxMs, time });
    await drainEvery100ms(d, time, new Date(due.getTime() + 120_000), async () => (await suite.pending()) > 0);
    await d.stop({ deadlineMs: 200 });
    const sent = await suite.db.db.selectFrom('deliveries').select(['state', 'sent_at', 'due_at']).execute();
    expect(sent.every((r) => r.state === 'sent')).toBe(true);
    expect(suite.sink.received).toHaveLength(200);
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
    await sql`create function refuse_writes() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device'; end $$`.execute(suite.db.db);
    await sql`create trigger refuse_writes before update on deliveries for each row execute function refuse_writes()`.execute(suite.db.db);
    clock.set('2027-01-04T08:00:50Z');
    const time = new VirtualTime(clock);
    const d = suite.dispatcher({ time, sessions: true });
    for (let i = 0; i < 20; i++) {
      await time.run(d.drainLane('email')).catch(() => undefined);
      clock.advance(100);
    }
    // The lump went out ahead of its due time, each row once, and stays claimed past it.
    expect(clock.now() > due).toBe(true);
    const titles = suite.sink.received.map((r) => r.title);
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
      const replicas = new LiveReplicas({ db: suite.db.db, clock, log, workerId: id });
      const sender = suite.sinkSender();
      const d = suite.dispatcher({
        workerId: id, time, replicas, sessions: true,
        sender: { kind: 'email', send: (address, message) => (by.set(message.title, id), sender.send(address, message)) },
      });
      return { d, replicas };
    };
    const a = replica('a');
    const b = replica('b');
    await a.replicas.beat();
    await b.replicas.beat();
    await a.replicas.beat();
    expect([a.replicas.count, b.replicas.count]).toEqual([2, 2]);
    // Each replica drains on its own and looks again 100 ms after its drain ended, as two
    // processes would (in lock-step, one drained the whole lump while the other waited for it).
    const running = new Map<string, Promise<unknown>>();
    while ((await suite.pending()) > 0 && clock.now() < new Date(due.getTime() + 60_000)) {
      for (const [id, r] of [['a', a], ['b', b]] as const) {
        if (!running.has(id)) running.set(id, r.d.drainLane('email').catch(() => undefined).finally(() => running.delete(id)));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
      time.step(100);
    }
    await Promise.all([a.d.stop({ deadlineMs: 200 }), b.d.stop({ deadlineMs: 200 })]);
    const titles = suite.sink.received.map((r) => r.title);
    expect(new Set(titles).size).toBe(200);
    expect(titles).toHaveLength(200);
    expect([...by.values()].filter((id) => id === 'a').length).toBeGreaterThan(50);
    expect([...by.values()].filter((id) => id === 'b').length).toBeGreaterThan(50);
    const rows = await suite.db.db.selectFrom('deliveries').select(['sent_at', 'due_at']).execute();
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
