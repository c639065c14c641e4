import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { connect, type ConnectOptions } from '../../adapters/db/connect.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import type { Clock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (as .ci/run does). */
export const dialects: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

let snapshot: Promise<Blob> | undefined;

/** A migrated, empty PGlite made once per worker and restored for each test. */
function pgliteSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const db = await connect({});
    await migrateToLatest(db.db);
    const blob = await db.snapshot!();
    await db.close();
    return blob;
  })();
  return snapshot;
}

// Kysely's migrator reads the catalog of every schema in the database. If a parallel test
// drops its schema in the middle of that read, PostgreSQL answers "schema … does not exist"
// and the migration fails. Migrations therefore hold this lock shared, and drops exclusive.
const SCHEMA_GUARD = 740_211_907;

/** Runs work that reads the catalog (migrations) while no test schema can be dropped. */
export async function withSchemaGuard<T>(admin: Db, work: () => Promise<T>): Promise<T> {
  return admin.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock_shared(${SCHEMA_GUARD})`.execute(trx);
    return work();
  });
}

export const migrateGuarded = (admin: Db, db: Db) => withSchemaGuard(admin, () => migrateToLatest(db.db));

/** Drops a test schema once no migration is reading the catalog. */
export async function dropSchemaGuarded(admin: Db, schema: string): Promise<void> {
  await admin.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${SCHEMA_GUARD})`.execute(trx);
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(trx);
  });
}

/** A fresh, migrated database of the given kind; close() throws it away. */
export async function freshDatabase(kind: DbKind, seam: Pick<ConnectOptions, 'wrapDriver'> = {}): Promise<Db> {
  if (kind === 'pglite') {
    return connect({ pgliteSnapshot: await pgliteSnapshot(), ...seam });
  }
  const url = process.env.TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = await connect({ databaseUrl: url, poolSize: 1 });
  await sql`create schema ${sql.id(schema)}`.execute(admin.db);
  const db = await connect({ databaseUrl: url, schema, poolSize: 5, ...seam });
  try {
    await migrateGuarded(admin, db);
  } catch (error) {
    await db.close();
    await dropSchemaGuarded(admin, schema);
    await admin.close();
    throw error;
  }
  return {
    kind: 'postgres',
    db: db.db,
    openSession: () => db.openSession!(),
    close: async () => {
      await db.close();
      await dropSchemaGuarded(admin, schema);
      await admin.close();
    },
  };
}

/** A fresh database with calendars/demo.yaml imported at the clock's time, where most suites start. */
export async function demoDatabase(kind: DbKind, clock: Clock, seam: Pick<ConnectOptions, 'wrapDriver'> = {}): Promise<Db> {
  const db = await freshDatabase(kind, seam);
  await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
  return db;
}
