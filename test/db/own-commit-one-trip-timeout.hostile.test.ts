import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../adapters/db/connect.js';
import { FixedClock } from '../../src/clock.js';
import { currentDataVersion, dataVersionWatch } from '../../src/db/data-version-watch.js';
import { readDataVersion } from '../../src/db/data-version.js';
import type { Db } from '../../src/db/db.port.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { until } from '../process/service-process.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';

/**
 * Hostile review of 9edc7e7 (set constraints all immediate; select version; commit in one simple
 * query). Its comment says "Should the read fail, the commit is not run ... never a commit whose
 * outcome is unknown", and the commit message "a failed end commits nothing". The pool's time
 * limit (query_timeout, 30 s by default, here 1.5 s) is pg's, on the client only: the server is
 * not told. When the end waits (here for the data_version row lock another session holds, as a
 * long import or a stuck transaction would) past that limit, the caller is told the transaction
 * failed, the server still runs the rest of the text when the lock comes free, and commits.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('hostile: the one-trip end of a raising transaction, past the pool time limit (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  const schema = `t_one_trip_timeout_${process.pid}`;
  const replicas = replicasBehindListenProxy({
    schema,
    seed: async (db) => importSchedules(db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' }),
  });
  let short: Db;
  let locker: pg.Client;
  beforeAll(async () => {
    short = await connect({ databaseUrl: replicas.proxy.url(url!), schema, timeoutMs: 1500, poolSize: 2 });
    locker = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
    await locker.connect();
  }, 60_000);
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await short?.close();
  });

  /** Ends a raising transaction while another session holds the data_version row past the pool's limit; then frees it. */
  async function endPastTheLimit(name: string) {
    const [team] = await short.db.selectFrom('teams').select(['id', 'name']).orderBy('id').limit(1).execute();
    const watch = dataVersionWatch(short.db);
    const before = await readDataVersion(replicas.other.db);
    await currentDataVersion(short.db);
    await until(() => watch.settled() === before, 5000, 'the short replica knows the version');
    replicas.proxy.hold();
    // Another session holds the data_version row (a long import's transaction, a stuck one).
    await locker.query('begin');
    await locker.query('select version from data_version where id = 1 for update');
    const outcome = await short.db
      .transaction()
      .execute((trx) => trx.updateTable('teams').set({ name }).where('id', '=', team!.id).execute())
      .then(
        () => 'committed',
        (error: unknown) => error,
      );
    expect(outcome, 'the caller is told its transaction failed').toBeInstanceOf(Error);
    await locker.query('rollback');
    // The server went on with "set constraints all immediate; select version ...; commit".
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stored = (await replicas.other.db.selectFrom('teams').select('name').where('id', '=', team!.id).executeTakeFirstOrThrow()).name;
    return { before, was: team!.name, stored, now: await readDataVersion(replicas.other.db), watch };
  }

  // 9edc7e7 said "a failed end commits nothing"; past pg's time limit (the client's alone) it may commit.
  it('a caller told that its transaction failed past the time limit may find it committed (its outcome is unknown)', async () => {
    const { before, was, stored, now } = await endPastTheLimit('Zgubiony wynik');
    expect(stored, 'committed after all').not.toBe(was);
    expect(now, 'and raised').toBe(before + 1);
  }, 30_000);

  it('the replica whose failed end committed late does not keep serving the version before it', async () => {
    const { now, watch } = await endPastTheLimit(`Spóźniony ${Date.now()}`);
    // Whatever the outcome, the replica must not keep serving a version older than the database's.
    const served = watch.settled();
    expect(served === undefined || served >= now, `the replica serves version ${served}, the database is at ${now}`).toBe(true);
    // Once the database is read again, the replica settles on the version of the late commit.
    expect(await currentDataVersion(short.db)).toBe(now);
    expect(watch.settled()).toBe(now);
  }, 30_000);
});
