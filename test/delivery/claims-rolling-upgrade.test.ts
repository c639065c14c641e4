import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { laneCondition } from '../../src/delivery/lanes.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * The claim of the version before migration 0028 (src/delivery/claims.ts at 6884672, claimDue),
 * verbatim but for the synchronous_commit initplan: what a replica not yet upgraded runs during
 * a rolling upgrade. Migration 0028 keeps `sending` allowed and claimed_by/claimed_at in place,
 * so such a replica goes on claiming without an error.
 */
async function oldVersionClaim(db: Kysely<Database>, workerId: string, now: Date): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    update deliveries set state = 'sending', claimed_by = ${workerId}, claimed_at = now(), updated_at = ${now}
    where id in (
      select id from deliveries
      where state = 'pending' and ${laneCondition('email')} and next_attempt_at <= ${now}
      order by next_attempt_at, id
      limit 100
      for update skip locked
    )
    returning id`.execute(db);
  return rows.map((r) => Number(r.id));
}

describe.runIf(process.env.TEST_DATABASE_URL)('a rolling upgrade across migration 0028 (PostgreSQL)', () => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const sessions: DedicatedSession[] = [];
  beforeEach(async () => {
    db = await freshDatabase('postgres');
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await db?.close();
  });

  it('should not let a replica of the previous version claim a row a new replica is sending', async () => {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'r1', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'r1', text: 'x' }, dueAt: clock.now() }]);
    const waiting: (() => void)[] = [];
    const slow: ChannelSender = { kind: 'email', send: (_a: string, _m: Message) => new Promise((resolve) => waiting.push(() => resolve({ ok: true }))) };
    const openSession = async () => {
      const s = await db.openSession!();
      sessions.push(s);
      return s;
    };
    const fresh = new Dispatcher({ db: db.db, clock, log, workerId: 'new', random: () => 0.5, senders: new Map([['email', slow]]), openSession });
    const running = fresh.drain();
    for (let i = 0; i < 500 && waiting.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(waiting).toHaveLength(1);
    // The not-yet-upgraded replica looks for due rows now: it must not get the one in flight
    // (or it must fail loudly), else the row goes out twice with no crash at all.
    const taken = await oldVersionClaim(db.db, 'old', clock.now()).catch(() => []);
    waiting.splice(0).forEach((go) => go());
    await running;
    await fresh.stop({ deadlineMs: 200 });
    expect(taken).toEqual([]);
  });
});
