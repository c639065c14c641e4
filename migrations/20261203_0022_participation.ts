import { sql, type Kysely } from 'kysely';

/**
 * Participation (docs/participation.md): who will come to a team's meeting, who came, and the
 * periods a person is away.
 * - `meeting_answers`: a member's own answer for one occurrence of their team's meetings
 *   ("będę" / "nie będę", with a reason, or a substitute from their institution). The occurrence
 *   is named by its key in the series (`occurrence_date`, as meeting_exceptions and check-ins
 *   name it), so an answer follows a moved meeting. Only what a person said, or what their own
 *   absence period says for them (`absence_id`), is ever stored here.
 * - `absence_periods`: "urlop od … do …" (local dates, both included); meetings in it are
 *   answered "nie będę" at once and their reminders are not sent.
 * - `attendance`: presence as recorded after the fact, for a meeting occurrence (`kind` meeting,
 *   `ref_id` the team, `day` the occurrence key) or one day of an activity (`kind` activity,
 *   `ref_id` the activity, `day` its local date: multi-day workshops are recorded per day).
 * - `attendance_changes`: every change to it, with who made it and how (the audit trail RCPS
 *   shows the funder; late changes within 14 days are allowed and visible here).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('absence_periods')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('starts_on', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('removed_at', 'timestamptz')
    .addCheckConstraint('absence_periods_order', sql`starts_on <= ends_on`)
    .execute();
  await db.schema.createIndex('absence_periods_person').on('absence_periods').columns(['person_id', 'ends_on']).execute();

  await db.schema
    .createTable('meeting_answers')
    .addColumn('team_id', 'text', (c) => c.notNull())
    .addColumn('occurrence_date', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('answer', 'text', (c) => c.notNull().check(sql`answer in ('attending', 'not_attending')`))
    .addColumn('reason', 'text')
    .addColumn('substitute_person_id', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('substitute_email', 'text')
    .addColumn('absence_id', 'integer', (c) => c.references('absence_periods.id').onDelete('set null'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('meeting_answers_pk', ['team_id', 'occurrence_date', 'person_id'])
    .execute();
  await db.schema.createIndex('meeting_answers_person').on('meeting_answers').columns(['person_id']).execute();
  await db.schema.createIndex('meeting_answers_substitute').on('meeting_answers').columns(['substitute_person_id']).execute();

  await db.schema
    .createTable('attendance')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('meeting', 'activity')`))
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('present', 'boolean', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('marked_by', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('marked_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('attendance_pk', ['kind', 'ref_id', 'day', 'person_id'])
    .execute();
  await db.schema.createIndex('attendance_person').on('attendance').columns(['person_id']).execute();

  await db.schema
    .createTable('attendance_changes')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('present', 'boolean', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'integer', (c) => c.references('people.id').onDelete('set null'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attendance_changes_subject').on('attendance_changes').columns(['kind', 'ref_id', 'day']).execute();

  // Answers and absences change what feeds (a substitute's entry) and kept answers show.
  for (const table of ['meeting_answers', 'absence_periods']) {
    await sql`create constraint trigger data_version_write after insert or delete on ${sql.table(table)}
      deferrable initially deferred for each row execute function data_version_raise()`.execute(db);
    await sql`create constraint trigger data_version_change after update on ${sql.table(table)}
      deferrable initially deferred for each row when (old.* is distinct from new.*) execute function data_version_raise()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('attendance_changes').execute();
  await db.schema.dropTable('attendance').execute();
  await db.schema.dropTable('meeting_answers').execute();
  await db.schema.dropTable('absence_periods').execute();
}
