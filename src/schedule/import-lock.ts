import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';

/**
 * The lock an import holds for its whole transaction (one import at a time, on every replica).
 * An erasure takes it too, first: otherwise an import could give the person being erased a
 * membership the erasure's delete no longer sees, or lock their rows in the opposite order
 * (docs/PRIVACY.md, "Erasure and concurrent writers").
 */
export async function holdImportLock(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(7081462593)`.execute(trx);
}
