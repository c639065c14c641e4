import { sql, type Kysely } from 'kysely';

/**
 * Who was invited to which activity (an answer for an activity one was not invited to is
 * refused), which SEQUENCE they last got, and a seat offered from the waiting list with its
 * deadline. Announcements wait here between preview and confirmation.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull())
    // A seat offered from the waiting list: held for this person until the deadline.
    .addColumn('offer_expires_at', 'timestamptz')
    .addColumn('deadline_reminded_at', 'timestamptz')
    .addPrimaryKeyConstraint('invitations_pk', ['activity_id', 'person_id'])
    .execute();
  await db.schema.createIndex('invitations_person').on('invitations').column('person_id').execute();

  await db.schema
    .createTable('announcements')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('author_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('team_ids', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'sent', 'cancelled')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('announcements').execute();
  await db.schema.dropTable('invitations').execute();
}
