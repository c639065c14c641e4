import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { currentDataVersion, dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { until } from '../process/service-process.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * Hostile review of 9edc7e7: failures at the one-trip end of a raising transaction
 * (set constraints all immediate; select version; commit): the connection killed while the end
 * waits, a repeatable-read transaction whose raise meets another's. Nothing may commit, the
 * watch may not learn a version nobody wrote, and the pool must answer afterwards.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('hostile: failures at the one-trip end (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const schema = `t_one_trip_fail_${process.pid}`;
  const replicas = replicasBehindListenProxy({
    schema,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });
  let locker: pg.Client;
  /** Outside any transaction: pg_stat_activity read in one is a snapshot. */
  let monitor: pg.Client;
  beforeAll(async () => {
    locker = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    monitor = new pg.Client({ connectionString: url });
    await locker.connect();
    await monitor.connect();
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await monitor?.end().catch(() => undefined);
  });

  const poolStillWorks = async (teamId: string) => {
    const before = await readDataVersion(replicas.other.db);
    for (let i = 0; i < 5; i++) {
      await replicas.own.db.transaction().execute((trx) => trx.updateTable('teams').set({ name: `Potem ${i} ${Date.now()}` }).where('id', '=', teamId).execute());
    }
    expect(await readDataVersion(replicas.other.db)).toBe(before + 5);
  };

  it('the backend killed while the end waits for the version row: nothing committed, the pool answers', async () => {
    const [team] = await replicas.own.db.selectFrom('teams').select(['id', 'name']).orderBy('id').limit(1).execute();
    const before = await replicas.settled();
    await locker.query('begin');
    await locker.query('select version from data_version where id = 1 for update');
    const ending = replicas.own.db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable('teams').set({ name: 'Zabity' }).where('id', '=', team!.id).execute();
      })
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    let pid: number | undefined;
    await until(async () => {
      const { rows } = await monitor.query<{ pid: number }>(`select pid from pg_stat_activity where query like 'set constraints all immediate;%' and wait_event_type = 'Lock'`);
      pid = rows[0]?.pid;
      return pid !== undefined;
    }, 5000, 'the end waits for the version row');
    await monitor.query('select pg_terminate_backend($1)', [pid]);
    await locker.query('rollback');
    const outcome = await ending;
    expect(outcome).toBeInstanceOf(Error);
    expect(await readDataVersion(replicas.other.db)).toBe(before);
    expect((await replicas.other.db.selectFrom('teams').select('name').where('id', '=', team!.id).executeTakeFirstOrThrow()).name).toBe(team!.name);
    expect(dataVersionWatch(replicas.own.db).settled() ?? before).toBe(before);
    await poolStillWorks(team!.id);
  }, 30_000);

  it('a repeatable-read transaction whose raise meets another replica\'s: refused at the end, nothing committed, the pool answers', async () => {
    const [team, other] = await replicas.own.db.selectFrom('teams').select(['id', 'name']).orderBy('id').limit(2).execute();
    const before = await replicas.settled();
    const outcome = await replicas.own.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await trx.selectFrom('teams').select('id').where('id', '=', team!.id).execute();
        await trx.updateTable('teams').set({ name: 'Powtarzalny' }).where('id', '=', team!.id).execute();
        // Another replica raises the version after our snapshot: our deferred raise cannot update the row.
        await replicas.other.db.updateTable('teams').set({ name: `Ich ${Date.now()}` }).where('id', '=', other!.id).execute();
      })
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    expect((outcome as { code?: string }).code, String(outcome)).toBe('40001');
    expect(await readDataVersion(replicas.other.db)).toBe(before + 1);
    expect((await replicas.other.db.selectFrom('teams').select('name').where('id', '=', team!.id).executeTakeFirstOrThrow()).name).toBe(team!.name);
    await currentDataVersion(replicas.own.db);
    await poolStillWorks(team!.id);
  }, 30_000);

  it('a repeatable-read transaction that wrote a shown table without changing it learns no version older than one it knew', async () => {
    const [team, other] = await replicas.own.db.selectFrom('teams').select(['id', 'name']).orderBy('id').limit(2).execute();
    const watch = dataVersionWatch(replicas.own.db);
    const before = await replicas.settled();
    await replicas.own.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await trx.selectFrom('teams').select('id').where('id', '=', team!.id).execute();
        await replicas.other.db.updateTable('teams').set({ name: `Ich ${Date.now()}` }).where('id', '=', other!.id).execute();
        await until(() => watch.settled() === before + 1, 5000, 'this replica heard of the other raise');
        // Writes a shown table (the driver sees it), changes nothing (no trigger fires).
        await trx.updateTable('teams').set({ name: team!.name }).where('id', '=', team!.id).execute();
      });
    expect(watch.settled()).toBe(before + 1);
  }, 30_000);
});
