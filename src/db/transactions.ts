import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

/**
 * Runs work in the caller's transaction when there is one, else in a new one. A use case opens
 * the transaction that holds the change and its outbox rows (docs/outbox.md); the parts it
 * calls join it, and still hold their own locks when called alone (tests, scripts).
 */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
