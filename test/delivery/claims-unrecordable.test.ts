import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/**
 * A claim writes nothing now, so it succeeds while the database refuses writes (disk full, a
 * read-only failover, a trigger or constraint gone wrong). Before, the claim was itself a write
 * and failed first: nothing was sent that could not be recorded.
 */
describe.each(dialects)('outcomes that cannot be recorded on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const sessions: DedicatedSession[] = [];
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await db?.close();
  });

  it('should not send the same row again at every cycle while the database refuses to record its outcome', async () => {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'r1', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'r1', text: 'x' }, dueAt: clock.now() }]);
    // Every write to deliveries fails from now on, as on a full disk.
    await sql`create function refuse_writes() returns trigger language plpgsql as $$ begin raise exception 'could not extend file: No space left on device'; end $$`.execute(db.db);
    await sql`create trigger refuse_writes before update on deliveries for each row execute function refuse_writes()`.execute(db.db);
    const sent: string[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m.title), { ok: true }) };
    const openSession = async () => {
      const s = await db.openSession!();
      sessions.push(s);
      return s;
    };
    const d = new Dispatcher({ db: db.db, clock, log, workerId: 'w1', random: () => 0.5, senders: new Map([['email', sender]]), ...(db.openSession ? { openSession } : {}) });
    // Five cycles of the delivery loop (each failed cycle is retried at the next check).
    for (let i = 0; i < 5; i++) await d.drain().catch(() => undefined);
    await d.stop({ deadlineMs: 200 });
    expect(sent.length).toBeLessThanOrEqual(1);
  });
});
