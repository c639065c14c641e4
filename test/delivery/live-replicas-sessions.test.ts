import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { LiveReplicas } from '../../src/delivery/live-replicas.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * A replica's heartbeat records the backend pid of its claim session (migration 0033), and the
 * live count leaves out a row whose session is gone: a crashed process's row stops counting at
 * the others' next heartbeat, not after its REPLICA_TIMEOUT_SECONDS (src/delivery/live-replicas.ts).
 * A row without a session (never claimed, PGlite) keeps the age rule.
 */
describe.each(dialects)('live replicas and their claim sessions on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const stops: Dispatcher[] = [];
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((d) => d.stop({ deadlineMs: 200 })));
    await db?.close();
  });

  /** A dispatcher with its heartbeat; `claimed`: it has made a claim (its claim session is open). */
  const replica = async (workerId: string, claimed = true) => {
    const replicas = new LiveReplicas({ db: db.db, clock, log, workerId });
    const d = new Dispatcher({ db: db.db, clock, log, workerId, senders: new Map(), replicas, ...(db.openSession ? { openSession: () => db.openSession!() } : {}) });
    stops.push(d);
    if (claimed) await d.claims.claim({ now: clock.now(), batchSize: 1, lane: 'email' });
    await replicas.beat();
    return { d, replicas };
  };
  const recorded = async (workerId: string) =>
    (await db.db.selectFrom('dispatchers').select('session_pid').where('worker_id', '=', workerId).executeTakeFirstOrThrow()).session_pid;

  it.runIf(kind === 'postgres')('should stop counting a replica whose claim session ended, and count it again once it has a new one', async () => {
    const a = await replica('a');
    const b = await replica('b');
    const c = await replica('c');
    expect(await recorded('c')).toBe(c.d.claims.sessionPid());
    expect(await a.replicas.beat()).toBe(3);

    // c's session is cut (as when its connection is lost); its row stays, beaten just now.
    const pid = c.d.claims.sessionPid()!;
    await sql`select pg_terminate_backend(${pid}::int, 5000)`.execute(db.db);
    expect(await a.replicas.beat(), 'a replica whose claim session is gone still counted').toBe(2);
    expect(await b.replicas.beat()).toBe(2);

    // b crashes: its session closes with the process, nothing removes its row.
    await b.d.claims.close();
    expect(await a.replicas.beat(), 'a crashed replica still counted').toBe(1);

    // c lives on: its next batch's refresh (the clock has not moved: no heartbeat is due by time)
    // writes that it has no session, and after its next claim opened another, the new pid.
    for (let i = 0; i < 50 && c.d.claims.sessionPid() !== null; i++) await new Promise((r) => setTimeout(r, 20));
    expect(c.d.claims.sessionPid(), 'a session that broke still reported').toBeNull();
    await c.replicas.refresh();
    expect(await recorded('c')).toBeNull();
    expect(await a.replicas.beat(), 'a live replica without a session is counted by its age').toBe(2);
    await c.d.claims.claim({ now: clock.now(), batchSize: 1, lane: 'email' });
    expect(c.d.claims.sessionPid()).not.toBe(pid);
    await c.replicas.refresh();
    expect(await recorded('c')).toBe(c.d.claims.sessionPid());
    expect(await a.replicas.beat()).toBe(2);
  });

  it('should judge a replica without a claim session by its age alone', async () => {
    const a = await replica('a');
    await replica('quiet', false);
    expect(await recorded('quiet')).toBeNull();
    // PGlite: one session, none of the dispatcher's own; nothing is recorded.
    if (kind === 'pglite') expect(await recorded('a')).toBeNull();
    expect(await a.replicas.beat()).toBe(2);
    await sql`update dispatchers set seen_at = now() - interval '31 seconds' where worker_id = 'quiet'`.execute(db.db);
    expect(await a.replicas.beat()).toBe(1);
  });
});
