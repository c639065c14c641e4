import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { FixedClock, type Clock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { Dispatcher, type DispatcherOptions } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { freshDatabase } from '../support/databases.js';
import type { VirtualTime } from '../support/virtual-time.js';
import { sinkSender, startSink } from './http-sink.js';

// The set-up shared by the suites of sending ahead of a lump (test/delivery/early-*.test.ts).

export const log = createLogger('silent');

/** What the planner writes for a reminder 1 h before its meeting (a tenth of the time left): 6 min early at most. */
export const PLANNER_LEAD_MS = 360_000;

/**
 * `n` e-mail deliveries (reminders unless `kind` says otherwise) due at `due`, free to go from
 * `freeMs` before it (null: never early), expiring an hour after it (unless `expires` is false).
 * Keys `${prefix}-000`, `${prefix}-001`, …; titles `${prefix}0`, `${prefix}1`, …
 */
export function lump(
  n: number,
  due: Date,
  freeMs: number | null = PLANNER_LEAD_MS,
  { prefix = 'r', kind = 'reminder', expires = true }: { prefix?: string; kind?: string; expires?: boolean } = {},
): PlannedDelivery[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `${prefix}-${String(i).padStart(3, '0')}`, kind, place: { address: `${prefix}${i}@example.org`, language: 'pl' }, channels: ['email'],
    payload: { language: 'pl', title: `${prefix}${i}`, text: 'x' }, dueAt: due,
    ...(expires ? { expiresAt: new Date(due.getTime() + 3600_000) } : {}),
    ...(freeMs === null ? {} : { earliestAt: new Date(due.getTime() - freeMs) }),
  }));
}

/** Enqueues `lump(n, due, freeMs, options)`. */
export const enqueueLump = (db: Db, ...args: Parameters<typeof lump>) => enqueue(db.db, lump(...args));

/** How many rows are still pending (of those whose key begins `${prefix}-`, when given). */
export async function pending(db: Db, prefix?: string): Promise<number> {
  const only = prefix === undefined ? sql`` : sql` and dedupe_key like ${`${prefix}-%`}`;
  return Number((await sql<{ n: number }>`select count(*)::int as n from deliveries where state = 'pending'${only}`.execute(db.db)).rows[0]!.n);
}

/** E-mail's pace: the deployment's (20 a second, burst 20) unless `perSecond` (and a burst as large) is given. */
export const emailPacing = (perSecond?: number): DispatcherOptions['pacing'] =>
  perSecond === undefined ? platformPacing : (channel, address) => platformPacing(channel, address, { ...DEFAULT_PACING, email: { perSecond, burst: perSecond } });

export interface LaneOptions extends Partial<DispatcherOptions> {
  /** The e-mail sender (the platform). */
  sender: ChannelSender;
  /** E-mail's pace (emailPacing). */
  perSecond?: number;
  /** Pace waits on this injected time, a claim's cycle at most a second. */
  time?: VirtualTime;
  /** A claim session of its own, where the database has them. */
  sessions?: boolean;
}

/** The dispatcher of worker 'w' (unless `workerId`) on the e-mail lane, sending ahead up to ten minutes; `over` wins. */
export function emailDispatcher(db: Db, clock: Clock, { sender, perSecond, time, sessions, ...over }: LaneOptions): Dispatcher {
  return new Dispatcher({
    db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sender]]), pacing: emailPacing(perSecond), earlySendMaxMs: 600_000,
    ...(time ? { maxPaceWaitMs: 1000, sleep: time.sleep } : {}),
    ...(sessions && db.openSession ? { openSession: () => db.openSession!() } : {}),
    ...over,
  });
}

/**
 * Drains the e-mail lane on `time` (each drain's pace waits on it), then moves the clock on by
 * 100 ms, the way the loop would look again; while `more()` says so and the clock is before `until`.
 */
export async function drainEvery100ms(d: Dispatcher, time: VirtualTime, until: Date, more?: () => Promise<boolean>): Promise<void> {
  const clock = time.clock;
  while ((more ? await more() : true) && clock.now() < until) {
    await time.run(d.drainLane('email'));
    clock.advance(100);
  }
}

/**
 * The describe-level set-up of an early-* suite; call it inside the describe. An HTTP sink for
 * the whole describe (what it received and its script emptied before each test); before each
 * test the clock set to `start` and a database from `open` (a fresh one by default) holding
 * what `fill` enqueues; the database thrown away after the test (after the suite's own afterEach).
 */
export function earlySuite(kind: DbKind, { start, fill, open = freshDatabase }: { start: string; fill?: (db: Db) => Promise<unknown>; open?: (kind: DbKind) => Promise<Db> }) {
  let db: Db;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const clock = new FixedClock(start);
  beforeAll(async () => (sink = await startSink()));
  afterAll(async () => sink?.close());
  beforeEach(async () => {
    clock.set(start);
    sink.received.length = 0;
    sink.script.length = 0;
    db = await open(kind);
    await fill?.(db);
  });
  // Registered before the suite's own: vitest runs afterEach hooks last-registered first.
  afterEach(async () => db?.close());
  return {
    clock,
    /** This test's database. */
    get db() {
      return db;
    },
    get sink() {
      return sink;
    },
    /** A sender that posts to the sink. */
    sinkSender: () => sinkSender('email', sink.url),
    /** emailDispatcher on this test's database and the suite's clock (or `clock`), sending to the sink unless `sender` says otherwise. */
    dispatcher: (o: Partial<LaneOptions> = {}) => {
      const { clock: on = clock, ...rest } = o;
      return emailDispatcher(db, on, { sender: sinkSender('email', sink.url), ...rest });
    },
    /** `pending(db, prefix)` on this test's database. */
    pending: (prefix?: string) => pending(db, prefix),
  };
}
