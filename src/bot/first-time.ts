import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';

/** Records a platform event key; true only the first time, across replicas (primary key). */
export async function firstTime(db: Kysely<Database>, key: string): Promise<boolean> {
  const inserted = await db.insertInto('processed_events').values({ key }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}
