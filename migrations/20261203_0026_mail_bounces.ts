import { sql, type Kysely } from 'kysely';

/**
 * `mail_bounces` (docs/inbound-mail.md, "Bounces"): an e-mail address of a person that a
 * delivery status notification said fails for good (5.x.x). One row per person and address:
 * the last bounce's status and diagnostic, when the address first and last bounced, and the
 * delivery it came back for. While `last_bounce_at` is within 30 days, e-mail to that address is
 * skipped and the person's next channel used; a changed address has no row, so it is tried at once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mail_bounces')
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('diagnostic', 'text')
    .addColumn('delivery_id', 'integer')
    .addColumn('bounces', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('first_bounce_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_bounce_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('mail_bounces_pk', ['person_id', 'address'])
    .execute();
  await db.schema.createIndex('mail_bounces_last').on('mail_bounces').columns(['last_bounce_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mail_bounces').execute();
}
