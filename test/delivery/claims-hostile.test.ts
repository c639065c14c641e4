import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue, setDueTimes } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');

/** Hostile review of claims as session advisory locks (docs/delivery-engine.md, "Claims"). */
describe.each(dialects)('claims under attack on %s', (kind) => {
  let db: Db;
  let person: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const sent: string[] = [];
  const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m.title), { ok: true }) };
  const sessions: DedicatedSession[] = [];
  const openSession = async () => {
    const s = await db.openSession!();
    sessions.push(s);
    return s;
  };
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    sent.length = 0;
    db = await freshDatabase(kind);
    person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await db?.close();
  });

  const dispatcher = (over: Partial<DispatcherOptions> = {}) =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w1', random: () => 0.5, senders: new Map([['email', sender]]), ...(db.openSession ? { openSession } : {}), ...over });
  const notice = (key = 'r1') => enqueue(db.db, [{ key, kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: clock.now() }]);
  const hanging = () => {
    const waiting: (() => void)[] = [];
    const s: ChannelSender = { kind: 'email', send: (_a, m) => new Promise((resolve) => waiting.push(() => (sent.push(m.title), resolve({ ok: true })))) };
    return { sender: s, waiting, release: () => waiting.splice(0).forEach((go) => go()) };
  };
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(ok()).toBe(true);
  };

  it('should leave a row being sent as it is when its due time is moved (setDueTimes: "a row the dispatcher claimed meanwhile is left as it is")', async () => {
    await notice();
    const row = await db.db.selectFrom('deliveries').select(['id', 'next_attempt_at']).executeTakeFirstOrThrow();
    const slow = hanging();
    const d = dispatcher({ senders: new Map([['email', slow.sender]]) });
    const running = d.drain();
    await until(() => slow.waiting.length === 1);
    // The meeting moved by a day while the reminder is being sent: the claimed row must not move.
    const later = new Date(clock.now().getTime() + 24 * 3600_000);
    const moved = await setDueTimes(db.db, [{ id: Number(row.id), dueAt: later }], clock.now());
    slow.release();
    await running;
    await d.stop({ deadlineMs: 200 });
    expect(moved).toBe(0);
    const after = await db.db.selectFrom('deliveries').select(['state', 'due_at']).executeTakeFirstOrThrow();
    expect(after.state).toBe('sent');
    expect(new Date(after.due_at).getTime()).not.toBe(later.getTime());
  });

  describe.runIf(kind === 'postgres')('ids from 2^31 (PostgreSQL)', () => {
    it('should count two rows in flight whose ids share a lock key as two claimed rows (the metrics gauge)', async () => {
      await notice('low');
      const low = await db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', 'low').executeTakeFirstOrThrow();
      await sql`alter table deliveries alter column id restart with ${sql.lit(Number(low.id) + 2 ** 31)}`.execute(db.db);
      await notice('high');
      const slow = hanging();
      const d = dispatcher({ senders: new Map([['email', slow.sender]]) });
      const running = d.drain();
      await until(() => slow.waiting.length === 2);
      const claimed = await d.claims.countClaimed();
      slow.release();
      await running;
      await d.stop({ deadlineMs: 200 });
      expect(sent.sort()).toEqual(['high', 'low']);
      expect(claimed).toBe(2);
    });
  });
});
