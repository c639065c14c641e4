import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { FixedClock } from '../../src/clock.js';
import type { Db, DedicatedSession } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { freshDatabase } from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const log = createLogger('silent');

/**
 * A replica whose machine is gone (powered off, network partitioned) does not close its TCP
 * connection: PostgreSQL keeps its idle backend, and with it the session's advisory locks, until
 * the server's own TCP keep-alive gives up (Linux defaults: over two hours; the service sets
 * keep-alive on its side only). Before, a claim was a lease in the row, taken back once the
 * replica's heartbeat was older than REPLICA_TIMEOUT_SECONDS (30 s).
 */
describe.runIf(process.env.TEST_DATABASE_URL)('a replica whose machine vanished mid-send (PostgreSQL)', () => {
  let db: Db;
  let proxy: TcpProxy | undefined;
  let lost: Db | undefined;
  const sessions: DedicatedSession[] = [];
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase('postgres');
  });
  afterEach(async () => {
    await proxy?.restore().catch(() => undefined);
    await Promise.all(sessions.splice(0).map((s) => s.close().catch(() => undefined)));
    await lost?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await db?.close();
  });

  it('should let another replica send the rows a vanished replica held within the replica timeout (30 s)', { timeout: 90_000 }, async () => {
    const person = (await db.db.insertInto('people').values({ email: 'a@example.org', name: 'A', language: 'pl', channels: '["email"]', source: 't.yaml' }).returning('id').executeTakeFirstOrThrow()).id;
    await enqueue(db.db, [{ key: 'r1', kind: 'notice', personId: person, channels: ['email'], payload: { language: 'pl', title: 'r1', text: 'x' }, dueAt: clock.now() }]);
    const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db.db)).rows[0]!.s;
    const url = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const through = new URL(process.env.TEST_DATABASE_URL!);
    through.port = String(proxy.port);
    lost = await connect({ databaseUrl: through.toString(), schema, poolSize: 2, timeoutMs: 2000 });
    // Replica A, on the machine about to vanish: claims r1 and is sending it.
    let sending = false;
    const never: ChannelSender = { kind: 'email', send: () => ((sending = true), new Promise(() => undefined)) };
    const a = new Dispatcher({ db: lost.db, clock, log, workerId: 'a', random: () => 0.5, senders: new Map([['email', never]]), openSession: async () => {
      const s = await lost!.openSession!();
      sessions.push(s);
      return s;
    } });
    void a.drain().catch(() => undefined);
    for (let i = 0; i < 500 && !sending; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sending).toBe(true);
    // The machine is gone: its connections carry nothing more, and nothing closes them.
    proxy.pause();
    const sent: string[] = [];
    const sender: ChannelSender = { kind: 'email', send: async (_a: string, m: Message) => (sent.push(m.title), { ok: true }) };
    const b = new Dispatcher({ db: db.db, clock, log, workerId: 'b', random: () => 0.5, senders: new Map([['email', sender]]), openSession: async () => {
      const s = await db.openSession!();
      sessions.push(s);
      return s;
    } });
    const started = Date.now();
    while (sent.length === 0 && Date.now() - started < 35_000) {
      await b.drain();
      if (sent.length === 0) await new Promise((r) => setTimeout(r, 1000));
    }
    await b.stop({ deadlineMs: 200 });
    expect(sent).toEqual(['r1']);
  });
});
