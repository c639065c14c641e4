import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const sleepReal = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (done: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await sleepReal(10);
};

/**
 * A paced lane claims its next batch while the current one's paced tail is still waiting or
 * sending (dispatcher.ts drainLane), so the platform's bucket never idles between batches. Here
 * e-mail is paced at 10 a second with bursts of 10 and batches are 10 rows: the first batch goes
 * at once and its sends hang (the platform has not answered, so no outcome can be written); the
 * second must already be claimed and booked at the pacer's next slots, 100 ms … 1 s, and a stop
 * must let it go untried.
 */
describe.each(dialects)('the next batch claimed while the current one is sending on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let open: () => void = () => undefined;
  let gate: Promise<void>;
  const sent: string[] = [];
  /** The pace waits asked for; each ends only when the dispatcher stops (the clock stands still). */
  const waits: number[] = [];
  const platform: ChannelSender = {
    kind: 'email',
    send: async (address) => (sent.push(address), await gate, { ok: true }),
  };

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sent.length = 0;
    waits.length = 0;
    gate = new Promise((resolve) => (open = resolve));
    db = await freshDatabase(kind);
    const rows: PlannedDelivery[] = Array.from({ length: 30 }, (_, i) => ({
      key: `m-${i}`, kind: 'notice', place: { address: `p${String(i).padStart(2, '0')}@example.org`, language: 'pl' }, channels: ['email'],
      payload: { language: 'pl', title: `m${i}`, text: 'x' }, dueAt: new Date(clock.now().getTime() - 60_000 + i),
    }));
    await enqueue(db.db, rows);
  });
  afterEach(async () => {
    open();
    await db?.close();
  });

  const dispatcher = () =>
    new Dispatcher({
      db: db.db, clock, log, workerId: 'w', batchSize: 10, senders: new Map([['email', platform]]), maxPaceWaitMs: 1000,
      pacing: (channel, address) => platformPacing(channel, address, { slack: { perSecond: 5, burst: 10 }, slackChannel: { perSecond: 1, burst: 2 }, teams: { perSecond: 50, burst: 50 }, teamsConversation: { perSecond: 1, burst: 3 }, email: { perSecond: 10, burst: 10 }, recoveryMs: 10_000 }),
      ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
      sleep: (ms) => (waits.push(ms), new Promise(() => undefined)),
    });
  const states = async () => (await db.db.selectFrom('deliveries').select('state').execute()).map((r) => r.state);
  const locks = async () => Number((await sql<{ n: number }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and objsubid = 2 and classid = 'deliveries'::regclass::oid`.execute(db.db)).rows[0]!.n);

  it('should book the next batch at the pacer’s next slots before the current batch has any outcome, and let it go untried at a stop', async () => {
    const d = dispatcher();
    const draining = d.drainLane('email');
    await until(() => waits.length >= 10);
    // The first batch: its burst of ten went at once and hangs, nothing recorded yet.
    expect([...sent].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${String(i).padStart(2, '0')}@example.org`));
    expect(await states()).toEqual(Array(30).fill('pending'));
    // The second batch, claimed meanwhile: each row booked at the pace's next slot, no idle gap.
    expect(waits).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    // Bounded: two batches under way, no third claimed.
    expect(d.claims.size).toBe(20);
    await sleepReal(100);
    expect(d.claims.size).toBe(20);

    await d.stop({ deadlineMs: 400 });
    await draining.catch(() => undefined);
    // The prefetched rows were let go untried; the hanging sends were cut off and let go too.
    expect(sent).toHaveLength(10);
    expect(await states()).toEqual(Array(30).fill('pending'));
    expect(d.claims.size).toBe(0);
    expect(await locks()).toBe(0);

    // Started again with the platform answering: every row goes; the prefetched ones for the first time.
    open();
    sent.length = 0;
    const again = new Dispatcher({ db: db.db, clock, log, workerId: 'w2', senders: new Map([['email', platform]]), ...(db.openSession ? { openSession: () => db.openSession!() } : {}) });
    expect(await again.drain()).toMatchObject({ sent: 30 });
    expect(new Set(sent).size).toBe(30);
    expect(sent).toHaveLength(30);
    await again.stop({ deadlineMs: 200 });
  });

  it.runIf(kind === 'postgres')('should lose nothing and send no prefetched row twice when the process dies with a batch prefetched', async () => {
    const d = dispatcher();
    void d.drainLane('email').catch(() => undefined);
    await until(() => waits.length >= 10);
    expect(d.claims.size).toBe(20);
    // The process dies: its claim session ends with it (as PostgreSQL sees a dead process); nothing was written.
    await sql`select pg_terminate_backend(pid, 5000) from pg_locks where locktype = 'advisory' and objsubid = 2 and classid = 'deliveries'::regclass::oid`.execute(db.db);
    await until(() => false, 200);
    expect(await locks()).toBe(0);
    expect(await states()).toEqual(Array(30).fill('pending'));
    open();
    sent.length = 0;
    const survivor = new Dispatcher({ db: db.db, clock, log, workerId: 'w2', senders: new Map([['email', { kind: 'email', send: async (a: string) => (sent.push(a), { ok: true }) }]]), openSession: () => db.openSession!() });
    expect(await survivor.drain()).toMatchObject({ sent: 30 });
    // Every row sent by the survivor once; the dead one had sent only its first ten (in flight: the cost of a crash).
    expect(new Set(sent).size).toBe(30);
    expect(sent).toHaveLength(30);
    await survivor.stop({ deadlineMs: 200 });
    await d.stop({ deadlineMs: 200 });
  });
});
