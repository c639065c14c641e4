import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * Claims and leases (issue: "a crash loses short reminders"): a dead worker's rows are taken
 * back as soon as it is known dead, a live worker's slow batch keeps its lease, and claim ages
 * are measured on the database's clock, whatever each replica's clock says.
 */
describe.each(dialects)('claims and leases on %s', (kind) => {
  let db: Db;
  let person: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const sent: string[] = [];
  const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m.title), { ok: true }) };
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sent.length = 0;
    db = await freshDatabase(kind);
    person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => db?.close());

  const dispatcher = (over: Partial<DispatcherOptions> = {}) =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w1', random: () => 0.5, senders: new Map([['email', sender]]), ...over });
  /** A PT2M reminder due now for a meeting two minutes away. */
  const shortReminder = (key = 'r1') =>
    enqueue(db.db, [{ key, kind: 'reminder', personId: person, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 120_000) }]);
  /** Marks every row as claimed by `worker` a moment ago (by the test's clock, which the database's agrees with from now on). */
  const claimedBy = (worker: string, at = clock.now()) => db.db.updateTable('deliveries').set({ state: 'sending', claimed_by: worker, claimed_at: at }).execute();
  const rowState = async () => (await db.db.selectFrom('deliveries').select(['state', 'claimed_by']).executeTakeFirstOrThrow());

  it('should send at once, on the embedded database, what a killed process had claimed: it is the only process', async () => {
    await shortReminder();
    await claimedBy('killed-pid');
    expect(await dispatcher({ exclusive: true }).drain()).toMatchObject({ sent: 1, expired: 0 });
    expect(sent).toEqual(['r1']);
  });

  it('should take back at once the rows of a replica whose heartbeat is older than its limit', async () => {
    await shortReminder();
    await claimedBy('dead');
    await sql`insert into dispatchers (worker_id, seen_at) values ('dead', now() - interval '31 seconds')`.execute(db.db);
    const replicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'w1' });
    expect(await dispatcher({ replicas }).drain()).toMatchObject({ sent: 1 });
  });

  it('should leave alone the rows of a replica that is alive, whatever this replica’s clock says', async () => {
    await shortReminder();
    await sql`update deliveries set state = 'sending', claimed_by = 'alive', claimed_at = now()`.execute(db.db);
    await sql`insert into dispatchers (worker_id, seen_at) values ('alive', now())`.execute(db.db);
    // This replica's clock runs ten minutes ahead: by it, the claim is older than any lease.
    clock.advance(600_000);
    const replicas = new LiveReplicas({ db: db.db, clock, log, workerId: 'w1' });
    expect(await dispatcher({ replicas, leaseMs: 60_000 }).drain()).toMatchObject({ sent: 0, expired: 0 });
    expect(await rowState()).toEqual({ state: 'sending', claimed_by: 'alive' });
  });

  it('should hand a row claimed by a worker that died to another once its lease is over by the database’s clock', async () => {
    await shortReminder();
    await sql`update deliveries set state = 'sending', claimed_by = 'gone', claimed_at = now() - interval '61 seconds'`.execute(db.db);
    expect(await dispatcher({ leaseMs: 60_000 }).drain()).toMatchObject({ sent: 1 });
  });

  it('should renew the lease of a slow batch, so that no other replica sends it again', async () => {
    // Real time here: the lease is a real 300 ms, and the replicas' clocks agree with the database's.
    const realClock = { now: () => new Date() };
    await enqueue(db.db, [{ key: 'r1', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'r1', text: 'x' }, dueAt: new Date() }]);
    let release: (() => void) | undefined;
    const slow: ChannelSender = { kind: 'email', send: (_a, m) => new Promise((resolve) => (release = () => (sent.push(m.title), resolve({ ok: true })))) };
    const running = dispatcher({ clock: realClock, senders: new Map([['email', slow]]), leaseMs: 600 }).drain();
    while (!release) await new Promise((r) => setTimeout(r, 10));
    // Over three leases of real time other replicas (each new one takes back dead claims at once) keep looking, and find nothing to take.
    for (const end = Date.now() + 1800; Date.now() < end; ) {
      expect(await dispatcher({ clock: realClock, workerId: 'w2', leaseMs: 600 }).drain()).toMatchObject({ sent: 0 });
      await new Promise((r) => setTimeout(r, 50));
    }
    release();
    expect(await running).toMatchObject({ sent: 1 });
    expect(sent).toEqual(['r1']);
  });
});
