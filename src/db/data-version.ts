import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

/** Every change that a feed or page shows raises this number; caches compare it. */
export async function bumpDataVersion(db: Kysely<Database>): Promise<void> {
  await db.updateTable('data_version').set((eb) => ({ version: eb('version', '+', 1) })).where('id', '=', 1).execute();
}

export async function readDataVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('data_version').select('version').where('id', '=', 1).executeTakeFirstOrThrow();
  return Number(row.version);
}
