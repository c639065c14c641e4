import { sql, type Kysely } from 'kysely';

/**
 * Zaświadczenia o udziale (docs/participation.md, "Proof: lists and certificates"): one per
 * person and activity, issued once and kept, so its number and its verification link stay the
 * same when it is asked for again. `days` (JSON array of local dates) and `minutes` are what it
 * certifies, as recorded when it was last issued; a later change of presence updates them at the
 * next issue and the number stays. Erased with the person (src/privacy/personal-data.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('certificates')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('days', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('certificates_person_activity', ['person_id', 'activity_id'])
    .execute();
  await db.schema.createIndex('certificates_activity').on('certificates').columns(['activity_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('certificates').execute();
}
