import { sql, type Kysely } from 'kysely';

/**
 * People erased at their own request (RODO art. 17). Only a SHA-256 of the e-mail is kept, so
 * that a re-import of a schedule file still listing them is refused until an admin confirms,
 * instead of silently re-creating them; the e-mail itself is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('erasures')
    .addColumn('email_hash', 'text', (c) => c.primaryKey())
    .addColumn('person_id', 'integer', (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('erasures').execute();
}
