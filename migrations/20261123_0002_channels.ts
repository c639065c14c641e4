import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // How to reach a person on a platform: Slack user id / DM channel, Teams conversation reference.
  await db.schema
    .createTable('person_channels')
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('person_channels_pk', ['person_id', 'channel'])
    .addUniqueConstraint('person_channels_external', ['channel', 'external_id'])
    .execute();

  // Platform retries (Slack's X-Slack-Retry-Num, Bot Framework redelivery) are processed once.
  await db.schema
    .createTable('processed_events')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('processed_events').execute();
  await db.schema.dropTable('person_channels').execute();
}
