import { sql, type Kysely } from 'kysely';

/**
 * Registration questions for residential workshops (docs/participation.md, "Registration
 * questions"): what RCPS asks with "accept" (diet, nights, transport, accessibility), set per
 * activity in the schedule file or the `warsztaty nowe` form, and each person's answers.
 * - `activity_questions`: one row per question, in the order asked; `options` is a JSON list of
 *   `{ id, label, label_en? }` (empty for free text).
 * - `registration_answers`: one row per answered question. Multi-choice answers hold the option
 *   ids joined by "," (ids are [a-z0-9-]). A question removed from the file takes its answers
 *   with it (the foreign key, and the import deletes them explicitly); the person's erasure too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activity_questions')
    .addColumn('activity_id', 'text', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('text', 'choice', 'multi-choice')`))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('label_en', 'text')
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull().defaultTo('[]'))
    .addPrimaryKeyConstraint('activity_questions_pk', ['activity_id', 'question_id'])
    .execute();

  await db.schema
    .createTable('registration_answers')
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('registration_answers_pk', ['activity_id', 'person_id', 'question_id'])
    .addForeignKeyConstraint('registration_answers_question', ['activity_id', 'question_id'], 'activity_questions', ['activity_id', 'question_id'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('registration_answers_person').on('registration_answers').columns(['person_id']).execute();
  await db.schema.createIndex('registration_answers_question').on('registration_answers').columns(['activity_id', 'question_id']).execute();

  // The form a person gets with "accept" and the RCPS totals are built per request, but the
  // App Home and kept chat answers may show whether one has answered: raise the version.
  for (const table of ['activity_questions', 'registration_answers']) {
    await sql`create constraint trigger data_version_write after insert or delete on ${sql.table(table)}
      deferrable initially deferred for each row execute function data_version_raise()`.execute(db);
    await sql`create constraint trigger data_version_change after update on ${sql.table(table)}
      deferrable initially deferred for each row when (old.* is distinct from new.*) execute function data_version_raise()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('registration_answers').execute();
  await db.schema.dropTable('activity_questions').execute();
}
