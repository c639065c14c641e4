import { sql, type Kysely } from 'kysely';

// Frozen in time: typed Kysely<any>, never importing the app's table types.
export async function up(db: Kysely<any>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('area', 'text', (c) => c.notNull().check(sql`area in ('gmina', 'powiat')`))
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('slack_channel', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('people')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('institution', 'text')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('pl'))
    .addColumn('channels', 'jsonb', (c) => c.notNull().defaultTo(sql`'["email"]'::jsonb`))
    .addColumn('staff_role', 'text', (c) => c.check(sql`staff_role in ('rcps', 'admin')`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('member', 'coordinator')`))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('memberships_pk', ['team_id', 'person_id'])
    .execute();
  await db.schema.createIndex('memberships_person').on('memberships').column('person_id').execute();

  await db.schema
    .createTable('meeting_series')
    .addColumn('team_id', 'text', (c) => c.primaryKey().references('teams.id').onDelete('cascade'))
    .addColumn('rrule', 'text', (c) => c.notNull())
    .addColumn('starts_local', 'text', (c) => c.notNull())
    .addColumn('duration', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('online_url', 'text')
    .addColumn('reminders', 'jsonb', (c) => c.notNull())
    .addColumn('on_holiday', 'text', (c) => c.notNull().check(sql`on_holiday in ('skip', 'shift', 'keep')`))
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('meeting_exceptions')
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('occurrence_date', 'date', (c) => c.notNull())
    .addColumn('cancelled', 'boolean', (c) => c.notNull())
    .addColumn('moved_to_local', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('meeting_exceptions_pk', ['team_id', 'occurrence_date'])
    .execute();

  await db.schema
    .createTable('activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('workshop', 'training', 'coaching', 'conference', 'education', 'consultation')`),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('starts_local', 'text', (c) => c.notNull())
    .addColumn('ends_local', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('online_url', 'text')
    .addColumn('capacity', 'integer')
    .addColumn('rsvp_by', 'date')
    .addColumn('audience_all', 'boolean', (c) => c.notNull())
    .addColumn('public', 'boolean', (c) => c.notNull())
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('activity_audience')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('activity_audience_pk', ['activity_id', 'team_id'])
    .execute();
  await db.schema.createIndex('activity_audience_team').on('activity_audience').column('team_id').execute();

  await db.schema
    .createTable('rsvps')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('accepted', 'declined', 'maybe', 'waiting')`))
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('rsvps_pk', ['activity_id', 'person_id'])
    .execute();
  await db.schema.createIndex('rsvps_person').on('rsvps').column('person_id').execute();

  await db.schema
    .createTable('feed_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The token is HMAC(APP_SECRET, nonce): the link can be shown again, a database leak alone reveals none.
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('feed_tokens_person').on('feed_tokens').column('person_id').execute();

  await db.schema
    .createTable('schedule_changes')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('person_id', 'integer')
    .addColumn('activity_id', 'text')
    .addColumn('occurrence_date', 'date')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('notified_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('import_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('files', 'jsonb', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('data_version')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('data_version').values({ id: 1, version: 1 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'data_version',
    'import_runs',
    'schedule_changes',
    'feed_tokens',
    'rsvps',
    'activity_audience',
    'activities',
    'meeting_exceptions',
    'meeting_series',
    'memberships',
    'people',
    'teams',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
