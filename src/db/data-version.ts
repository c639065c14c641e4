import { sql, type Kysely } from 'kysely';
import type { Database } from './tables.js';

/** The column name under which a raise returns its new version (src/db/data-version-watch.ts notices it). */
export const RAISED_VERSION = 'data_version_raised';

/**
 * Every change that a feed, page or the bot's caches show raises this number; caches compare it.
 * Triggers raise it for every write of such a table at commit (migration 0018, once per
 * transaction); raising it here as well tells this process's watch the new number at once
 * (src/db/data-version-watch.ts), and marks the transaction so the triggers do not raise it twice.
 */
export async function bumpDataVersion(db: Kysely<Database>): Promise<void> {
  await db
    .updateTable('data_version')
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', 1)
    .where(sql<boolean>`set_config('kooperator.data_version_raised', 'yes', true) is not null`)
    .returning((eb) => eb.ref('version').as(RAISED_VERSION))
    .execute();
}

export async function readDataVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('data_version').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.version);
}

/**
 * A read made of several statements (pages sized by time, so that PGlite's one thread is not
 * held by one long statement) that shows one version of the data, as one statement would: the
 * version is read before and after, and a commit in between (every write of a shown table raises
 * it at commit) reads again. The last attempt reads in one repeatable-read snapshot, so a
 * steady stream of writes cannot starve it. Inside a transaction the pages already share it.
 */
export async function readAtOneVersion<T>(db: Kysely<Database>, read: (db: Kysely<Database>) => Promise<T>, attempts = 3): Promise<T> {
  if (db.isTransaction) return read(db);
  for (let attempt = 1; attempt < attempts; attempt++) {
    const before = await readDataVersion(db);
    const result = await read(db);
    if ((await readDataVersion(db)) === before) return result;
  }
  return db.transaction().setIsolationLevel('repeatable read').execute((trx) => read(trx));
}
