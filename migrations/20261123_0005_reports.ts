import { sql, type Kysely } from 'kysely';

/**
 * Status updates and problem reports for RCPS (issue #5), with an audit trail of every change
 * to a report. Reports outlive their authors: erasing a person clears `reporter_id` and the
 * personal fields, the report itself stays for RCPS's records.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('status_updates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('person_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('done', 'text', (c) => c.notNull())
    .addColumn('next_steps', 'text')
    .addColumn('people_count', 'integer')
    .addColumn('blockers', 'text')
    // One submission stored once: a web form's nonce, or a hash of person and content.
    .addColumn('submission_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('status_updates_team').on('status_updates').columns(['team_id', 'created_at']).execute();

  await db.schema
    .createTable('problem_reports')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('reporter_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('category', 'text', (c) =>
      c.notNull().check(sql`category in ('organisational', 'legal', 'financial', 'data_reporting', 'audit', 'other')`),
    )
    .addColumn('urgency', 'text', (c) => c.notNull().check(sql`urgency in ('normal', 'urgent')`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('new').check(sql`state in ('new', 'acknowledged', 'resolved')`))
    .addColumn('submission_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('problem_reports_number', ['team_id', 'year', 'number'])
    .execute();

  await db.schema
    .createTable('report_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('report_id', 'integer', (c) => c.notNull().references('problem_reports.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('created', 'acknowledged', 'commented', 'resolved')`))
    .addColumn('comment', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_events_report').on('report_events').columns(['report_id', 'id']).execute();

  // Values a schedule file sets for the whole service (rcps_slack_channel).
  await db.schema
    .createTable('service_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  // The three letters of a team's report ids (LDZ-2027-014); null = the id's first three.
  await db.schema.alterTable('teams').addColumn('report_code', 'text').execute();
  // When coordinators are asked for a status after a meeting ("09:00" on the next working day).
  await db.schema.alterTable('meeting_series').addColumn('checkin_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meeting_series').dropColumn('checkin_at').execute();
  await db.schema.alterTable('teams').dropColumn('report_code').execute();
  await db.schema.dropTable('service_settings').execute();
  await db.schema.dropTable('report_events').execute();
  await db.schema.dropTable('problem_reports').execute();
  await db.schema.dropTable('status_updates').execute();
}
