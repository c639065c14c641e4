import { sql, type Kysely } from 'kysely';

/**
 * Self check-in at RCPS activities (docs/participation.md, "Who came"):
 * - `checkin_codes`: one short code per activity day, read aloud or shown on a poster at the
 *   venue; unique among all codes, so a code alone names its activity and day.
 * - `checkin_failures`: wrong codes typed by a person, to limit guessing (a few per quarter
 *   hour); purged after a day, erased with the person.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('checkin_codes')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('checkin_codes_pk', ['activity_id', 'day'])
    .execute();

  await db.schema
    .createTable('checkin_failures')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('failed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('checkin_failures_person').on('checkin_failures').columns(['person_id', 'failed_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('checkin_failures').execute();
  await db.schema.dropTable('checkin_codes').execute();
}
