import { afterEach, beforeEach, expect } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { freshDatabase } from './databases.js';

export const log = createLogger('silent');

/**
 * The set-up of the claims suites (test/delivery/claims*.test.ts): a fresh database of `kind`
 * per test with one e-mail person, dispatchers (replicas) that each open their own sessions
 * where the database has them, and an e-mail sender that records what it sent. Call it inside
 * a describe: it adds the beforeEach/afterEach that make and throw away each test's database.
 */
export function claimsHarness(kind: DbKind) {
  let db: Db;
  let person: number;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  /** Titles sent, in order, by every dispatcher's sender. */
  const sent: string[] = [];
  const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m.title), { ok: true }) };
  /** Every session the dispatchers opened, in order; closed after each test. */
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

  return {
    clock,
    sent,
    sessions,
    openSession,
    /** This test's database. */
    get db() {
      return db;
    },
    /** A replica's dispatcher ('w1' unless `over` says otherwise). */
    dispatcher: (over: Partial<DispatcherOptions> = {}) =>
      new Dispatcher({ db: db.db, clock, log, workerId: 'w1', random: () => 0.5, senders: new Map([['email', sender]]), ...(db.openSession ? { openSession } : {}), ...over }),
    /** A notice to the person, due now, its title its key. */
    notice: (key = 'r1') => enqueue(db.db, [{ key, kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: clock.now() }]),
    /** A sender that holds each send until `release()`. */
    hanging: () => {
      const waiting: (() => void)[] = [];
      const s: ChannelSender = { kind: 'email', send: (_a, m) => new Promise((resolve) => waiting.push(() => (sent.push(m.title), resolve({ ok: true })))) };
      return { sender: s, waiting, release: () => waiting.splice(0).forEach((go) => go()) };
    },
    /** Waits (up to 5 s) until `ok()` holds, and fails the test if it never does. */
    until: async (ok: () => boolean) => {
      for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
      expect(ok()).toBe(true);
    },
  };
}
