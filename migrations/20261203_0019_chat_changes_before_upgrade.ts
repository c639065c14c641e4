import { sql, type Kysely } from 'kysely';

/**
 * Migration 0017 counted every chat change made before it as "the file had no exception for
 * this occurrence", because the chat command of that time overwrote what the file said. For an
 * occurrence the file does have an `except:` entry for, the first import of the very same file
 * then saw "the file changed this occurrence" and undid the chat change (issue 13).
 *
 * What the file said is not known, so it is marked unknown (`file_unknown`), and the next
 * import takes the file's word for that occurrence as what the file said when the chat change
 * was made: the change stands, and from then on the file changing the occurrence decides
 * (src/schedule/meeting-exceptions.ts, docs/meetings.md).
 *
 * The rows are those 0017 marked whose chat change was made by the command before 0017 (its
 * record has no `from`; the command since then always writes one) and whose occurrence no
 * import has changed since that change (an import that did so undid it then). A later chat
 * change of the same occurrence carried the unknown over, so it counts too. Rows written after
 * 0017 remember what the file said and are left alone.
 *
 * The record can be gone by now (the erasure of the coordinator who made the change deletes
 * their records; retention deletes old ones), so the row tells it too: a chat change older than
 * 0017 itself (`kysely_migration`) with no file side is one 0017 marked, and no import has
 * changed its occurrence since (an import that does clears `chat_changed_at`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meeting_exceptions').addColumn('file_unknown', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await sql`
    update meeting_exceptions e set file_unknown = true
    where e.chat_changed_at is not null and e.file_cancelled is null
      and (e.chat_changed_at < (select m."timestamp"::timestamptz from kysely_migration m where m.name = '20261203_0017_meeting_changes')
      or exists (
        select 1 from schedule_changes c
        where c.team_id = e.team_id and c.occurrence_date = e.occurrence_date
          and c.details->>'by' = 'chat' and c.details->'from' is null
          and not exists (
            select 1 from schedule_changes l
            where l.team_id = c.team_id and l.occurrence_date = c.occurrence_date and l.id > c.id
              and coalesce(l.details->>'by', '') <> 'chat')))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('meeting_exceptions').dropColumn('file_unknown').execute();
}
