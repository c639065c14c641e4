import type { CompiledQuery, DatabaseConnection, Driver } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { emailDispatcher, enqueueLump } from './early-fixture.js';

/**
 * A slow database at the edge: statements matching `pattern` wait for `open()` before they run
 * (the lead's statement on a busy server). Everything else runs as it comes.
 */
function gate(pattern: RegExp) {
  let opened = false;
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const hit = new Promise<void>((resolve) => (reached = resolve));
  const statements: { sql: string; afterStop: boolean }[] = [];
  const state = { stopping: false };
  const wrap = (inner: Driver): Driver => {
    const unwrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const wrapConnection = (connection: DatabaseConnection): DatabaseConnection => {
      const wrapped: DatabaseConnection = {
        async executeQuery<R>(compiled: CompiledQuery) {
          statements.push({ sql: compiled.sql, afterStop: state.stopping });
          if (!opened && pattern.test(compiled.sql)) {
            reached();
            await open;
          }
          return connection.executeQuery<R>(compiled);
        },
        streamQuery: (compiled, chunkSize) => connection.streamQuery(compiled, chunkSize),
      };
      unwrapped.set(wrapped, connection);
      return wrapped;
    };
    const seen = new WeakMap<DatabaseConnection, DatabaseConnection>();
    const un = (c: DatabaseConnection) => unwrapped.get(c) ?? c;
    return {
      init: () => inner.init(),
      async acquireConnection() {
        const c = await inner.acquireConnection();
        let w = seen.get(c);
        if (!w) seen.set(c, (w = wrapConnection(c)));
        return w;
      },
      beginTransaction: (c, s) => inner.beginTransaction(un(c), s),
      commitTransaction: (c) => inner.commitTransaction(un(c)),
      rollbackTransaction: (c) => inner.rollbackTransaction(un(c)),
      releaseConnection: (c) => inner.releaseConnection(un(c)),
      destroy: () => inner.destroy(),
    };
  };
  return { wrap, hit, open: () => ((opened = true), release()), statements, state };
}

/**
 * A stop begun while a claim's lead is being sized (docs/delivery-engine.md, "Stopping": no more
 * claims at once): the claim that waited for the lead must not go on after the stop, take rows
 * and, after the stop closed the claim session, open a new one that nothing ever closes.
 */
describe.each(dialects)('a stop while the lead is sized on %s', (kind) => {
  let db: Db;
  let g: ReturnType<typeof gate>;
  const clock = new FixedClock('2027-01-04T08:00:50Z');
  const due = new Date('2027-01-04T08:01:00Z');
  const sessions: { session: DedicatedSession; closed: boolean }[] = [];

  beforeEach(async () => {
    clock.set('2027-01-04T08:00:50Z');
    g = gate(/min\(earliest_at\)/);
    db = await freshDatabase(kind, { wrapDriver: g.wrap });
    await enqueueLump(db, 200, due);
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.session.close().catch(() => undefined)));
    await db?.close();
  });

  it('should claim nothing, and leave no claim session open, once the stop has begun', async () => {
    const sent: string[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_a, m) => (sent.push(m.title), { ok: true }) };
    const d = emailDispatcher(db, clock, {
      sender, maxPaceWaitMs: 1000,
      ...(db.openSession
        ? {
            openSession: async () => {
              const session = await db.openSession!();
              const entry = { session, closed: false };
              sessions.push(entry);
              const close = session.close.bind(session);
              return Object.assign(session, { close: () => ((entry.closed = true), close()) });
            },
          }
        : {}),
    });
    // A claim session open already, as in a running service (the first claim opens it).
    await d.claims.claim({ now: clock.now(), batchSize: 1, lane: 'none' });
    const drained = d.drainLane('email').catch(() => undefined);
    await g.hit;
    g.state.stopping = true;
    await d.stop({ deadlineMs: 200 });
    // The lead's statement answers only now, after the stop is over.
    g.open();
    await drained;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const claimsAfterStop = g.statements.filter((s) => s.afterStop && /pg_try_advisory_lock|select id from deliveries/.test(s.sql));
    expect(claimsAfterStop).toEqual([]);
    expect(sent).toEqual([]);
    expect(sessions.filter((s) => !s.closed)).toHaveLength(0);
  });
});
