import { sql, type Kysely } from 'kysely';

/**
 * A meeting exception remembers whether a coordinator made it in chat (`chat_changed_at`) and,
 * for those, what the schedule file said of that occurrence then (`file_cancelled`,
 * `file_moved_to_local`; `file_cancelled` null: the file had no exception). An import keeps a
 * chat change until the file itself changes that occurrence (docs/meetings.md).
 *
 * Exceptions already made in chat (the latest change of their date came from chat) are marked;
 * what the file said of them was overwritten then, so they count as "no exception in the file".
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('meeting_exceptions')
    .addColumn('chat_changed_at', 'timestamptz')
    .addColumn('file_cancelled', 'boolean')
    .addColumn('file_moved_to_local', 'text')
    .execute();
  await sql`
    update meeting_exceptions e set chat_changed_at = c.created_at
    from (
      select distinct on (team_id, occurrence_date) team_id, occurrence_date, created_at, details
      from schedule_changes
      where occurrence_date is not null and kind in ('meeting_cancelled', 'meeting_moved')
      order by team_id, occurrence_date, id desc
    ) c
    where c.team_id = e.team_id and c.occurrence_date = e.occurrence_date and c.details->>'by' = 'chat'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meeting_exceptions').dropColumn('chat_changed_at').dropColumn('file_cancelled').dropColumn('file_moved_to_local').execute();
}
