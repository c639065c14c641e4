import { sql, type Kysely } from 'kysely';

/** The outbox: every message the service sends is a row here before it leaves. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // What, whom, occurrence, offset: planning twice plans nothing new.
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('team_id', 'text')
    // The person's channels in order of preference; `channel_index` is the one being tried.
    .addColumn('channels', 'jsonb', (c) => c.notNull())
    .addColumn('channel_index', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('state', 'text', (c) =>
      c.notNull().defaultTo('pending').check(sql`state in ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled')`),
    )
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('sent_channel', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // The dispatcher's question: what is due? Only pending rows matter, so the index holds only them.
  await sql`create index deliveries_due on deliveries (next_attempt_at) where state = 'pending'`.execute(db);
  await sql`create index deliveries_stuck on deliveries (claimed_at) where state = 'sending'`.execute(db);
  await db.schema.createIndex('deliveries_team').on('deliveries').columns(['team_id', 'state']).execute();

  // A person's own choices; schedule imports never touch this table.
  await db.schema
    .createTable('preferences')
    .addColumn('person_id', 'integer', (c) => c.primaryKey().references('people.id').onDelete('cascade'))
    .addColumn('muted_kinds', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('muted_channels', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('quiet_from', 'integer', (c) => c.notNull().defaultTo(20))
    .addColumn('quiet_to', 'integer', (c) => c.notNull().defaultTo(7))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('preferences').execute();
  await db.schema.dropTable('deliveries').execute();
}
