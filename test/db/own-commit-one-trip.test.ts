import pg from 'pg';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * On PostgreSQL a transaction that wrote a shown table ends in one round trip: its deferred
 * version triggers fire, the raised version is read in it, and it commits, in one simple query
 * (adapters/db/own-commits.ts, RAISE_READ_COMMIT). Before, its commit and the read after it
 * were two. The notifications of the replica under test are held back by a proxy, so what it
 * knows of the version after the commit comes from that read alone.
 */
const url = process.env.TEST_DATABASE_URL;

/** Every text pg's clients send while `run` runs (the network edge, counted, not changed). */
async function textsSentDuring(run: () => Promise<unknown>): Promise<string[]> {
  const texts: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    texts.push(typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text ?? ''));
    return original.apply(this, args);
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return texts;
}

describe.runIf(url)('the end of a transaction that raises the data version (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const replicas = replicasBehindListenProxy({
    schema: `t_one_trip_${process.pid}`,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });
  afterEach(() => replicas.proxy.release());

  it('should commit and learn the version it raised in one statement, with no read after the commit', async () => {
    const [team] = await replicas.own.db.selectFrom('teams').select('id').orderBy('id').limit(1).execute();
    const watch = dataVersionWatch(replicas.own.db);
    const before = await replicas.settled();
    replicas.proxy.hold();
    const texts = await textsSentDuring(() =>
      replicas.own.db.transaction().execute((trx) => trx.updateTable('teams').set({ name: 'Jedna podróż' }).where('id', '=', team!.id).execute()),
    );
    const ends = texts.filter((t) => /\bcommit\b/i.test(t));
    expect(ends, 'one statement ends the transaction').toHaveLength(1);
    expect(ends[0]).toMatch(/set constraints all immediate;\s*select version from data_version where id = 1;\s*commit/i);
    expect(texts.filter((t) => /data_version/.test(t)), 'no separate read of the version').toHaveLength(1);
    expect(await readDataVersion(replicas.other.db), 'committed, and raised once').toBe(before + 1);
    // Known from our own commit's read: the notification is still held back.
    expect(watch.settled(), 'the version this replica knows, from the read in the commit').toBe(before + 1);
  });

  it('should leave the version where it was and the connection usable when the end of the transaction fails', async () => {
    const [team] = await replicas.own.db.selectFrom('teams').select(['id', 'name']).orderBy('id').limit(1).execute();
    const watch = dataVersionWatch(replicas.own.db);
    const before = await replicas.settled();
    // A constraint checked only at the end (deferred) fails there: the same statement that would commit.
    const failed = await replicas.own.db
      .transaction()
      .execute(async (trx) => {
        await sql`create temp table one_trip_check (id int primary key deferrable initially deferred) on commit drop`.execute(trx);
        await sql`insert into one_trip_check values (1), (1)`.execute(trx);
        await trx.updateTable('teams').set({ name: 'Nie zapisane' }).where('id', '=', team!.id).execute();
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(String(failed), 'the end of the transaction failed with the check').toMatch(/duplicate key/);
    expect(await readDataVersion(replicas.other.db), 'nothing committed, nothing raised').toBe(before);
    expect((await replicas.other.db.selectFrom('teams').select('name').where('id', '=', team!.id).executeTakeFirstOrThrow()).name).toBe(team!.name);
    expect(watch.settled()).toBe(before);
    // Every connection of the pool is out of that transaction: a write and its commit go through.
    for (let i = 0; i < 4; i++) {
      await replicas.own.db.transaction().execute((trx) => trx.updateTable('teams').set({ name: `Potem ${i}` }).where('id', '=', team!.id).execute());
    }
    expect(await readDataVersion(replicas.other.db)).toBe(before + 4);
  });
});
