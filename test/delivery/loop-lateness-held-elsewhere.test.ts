import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { DeliveryLoop } from '../../src/delivery/delivery-loop.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const clock: Clock = { now: () => new Date() };

/**
 * A row another replica is sending stays `pending` (a claim is an advisory lock, not a state), so
 * nextDueAt reports it as due now and the lane falls into its "held elsewhere" back-off (0.1 s …
 * 5 s) instead of waking at the next row's due time. Before, the held row was `sending` and the
 * lane slept exactly until the next due row.
 */
describe.runIf(process.env.TEST_DATABASE_URL)('the delivery loop while another replica is sending, on postgres', () => {
  let db: Db;
  let loop: DeliveryLoop | undefined;
  const sessions: DedicatedSession[] = [];
  const openSession = async () => {
    const s = await db.openSession!();
    sessions.push(s);
    return s;
  };
  beforeEach(async () => {
    db = await freshDatabase('postgres');
  });
  afterEach(async () => {
    await loop?.stop({ deadlineMs: 200 });
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await db?.close();
  });

  it('should send a row at its due time while another replica has an earlier row in flight', { timeout: 20_000 }, async () => {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    const notice = (key: string, dueAt: Date) => ({ key, kind: 'notice', personId: person, channels: ['email' as const], payload: { language: 'pl' as const, title: key, text: 'x' }, dueAt });
    const start = Date.now();
    const dueAt = new Date(start + 3500);
    await enqueue(db.db, [notice('held', new Date(start - 1000)), notice('next', dueAt)]);
    // Replica B is sending 'held' (a slow mail server) for the whole test.
    const waiting: (() => void)[] = [];
    const slow: ChannelSender = { kind: 'email', send: () => new Promise((resolve) => waiting.push(() => resolve({ ok: true }))) };
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', senders: new Map([['email', slow]]), openSession });
    const bRunning = b.drain();
    for (let i = 0; i < 300 && waiting.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(waiting).toHaveLength(1);
    // Replica A runs its loop: 'next' is due in 3.5 s.
    const sentAt = new Map<string, number>();
    const fast: ChannelSender = { kind: 'email', send: async (_a, m: Message) => (sentAt.set(m.title, Date.now()), { ok: true }) };
    const a = new Dispatcher({ db: db.db, clock, log, workerId: 'a', senders: new Map([['email', fast]]), openSession });
    loop = new DeliveryLoop({ db: db.db, dispatcher: a, clock, log });
    loop.start();
    for (let i = 0; i < 800 && !sentAt.has('next'); i++) await new Promise((r) => setTimeout(r, 10));
    waiting.splice(0).forEach((go) => go());
    await bRunning;
    await b.stop({ deadlineMs: 200 });
    expect(sentAt.has('held')).toBe(false);
    expect(sentAt.has('next')).toBe(true);
    expect(sentAt.get('next')! - dueAt.getTime()).toBeLessThan(1000);
  });
});
