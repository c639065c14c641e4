import { sql, type KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const clock: Clock = { now: () => new Date() };

/**
 * Issue: "the delivery loop spins against the database while the earliest due row is locked by
 * another worker (thousands of queries a second)". Row locks held by another session exist only
 * on PostgreSQL (PGlite is one connection).
 */
describe.runIf(process.env.TEST_DATABASE_URL)('the delivery loop while a due row is locked elsewhere, on postgres', () => {
  let db: Db;
  let loop: DeliveryLoop | undefined;
  beforeEach(async () => {
    db = await freshDatabase('postgres');
  });
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 200 });
    await db?.close();
  });

  it('should look again a few times a second at most, and send the row once the lock is gone', async () => {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'held', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'held', text: 'x' }, dueAt: new Date(Date.now() - 1000) }]);
    let queries = 0;
    const counted = db.db.withPlugin({ transformQuery: (args) => (queries++, args.node), transformResult: async (args) => args.result } satisfies KyselyPlugin);
    const sent: string[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_a, m) => (sent.push(m.title), { ok: true }) };
    let unlock!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // Another session holds the row (a slow transaction elsewhere) for 1.5 s.
    const holder = db.db.transaction().execute(async (trx) => {
      await sql`select id from deliveries for update`.execute(trx);
      locked();
      await new Promise<void>((resolve) => (unlock = resolve));
    });
    await isLocked;
    const dispatcher = new Dispatcher({ db: counted, clock, log, workerId: 'w1', senders: new Map([['email', sender]]) });
    loop = new DeliveryLoop({ db: counted, dispatcher, clock, log });
    loop.start();
    await new Promise((r) => setTimeout(r, 1500));
    const whileLocked = queries;
    unlock();
    await holder;
    for (let i = 0; i < 200 && sent.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual(['held']);
    // Each look is a claim and a next-due query per lane; backing off from 0.1 s to 5 s that is a few dozen, not thousands.
    expect(whileLocked).toBeLessThan(120);
  });
});
