import { sql, type Kysely } from 'kysely';

/**
 * Planning marks for check-ins and attendance summaries too, not only reminders: the daily
 * re-plan then plans only the new day at the end of the horizon for each of them, and offers
 * the whole horizon again only for teams whose data changed (src/reminders/reminder-plans.ts).
 * At national scale (2,857 teams) re-offering every check-in and summary key of 60 days to
 * ON CONFLICT each day took seconds, and on PGlite that is seconds of a frozen service.
 * reminder_plans becomes planning_marks with a kind; its rows are the reminders' marks.
 * data_stamp becomes text: a digest of every row's stamp, not the greatest of them, since a
 * change written with an earlier updated_at (its transaction's start, another host's clock)
 * does not move a maximum (src/reminders/reminder-plans.ts). Old stamps never equal a digest,
 * so every team is planned in full once after the upgrade.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table reminder_plans rename to planning_marks`.execute(db);
  await sql`alter table planning_marks add column kind text not null default 'reminders'`.execute(db);
  await sql`alter table planning_marks alter column kind drop default`.execute(db);
  await sql`alter table planning_marks drop constraint reminder_plans_pkey`.execute(db);
  await sql`alter table planning_marks add constraint planning_marks_pkey primary key (team_id, kind)`.execute(db);
  await sql`alter table planning_marks alter column data_stamp type text using data_stamp::text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from planning_marks where kind <> 'reminders'`.execute(db);
  // A digest is no time: '-infinity' equals no stamp the old code computes, so it plans those teams in full.
  await sql`alter table planning_marks alter column data_stamp type timestamptz
    using case when data_stamp ~ '^[0-9]{4}-' then data_stamp::timestamptz else '-infinity'::timestamptz end`.execute(db);
  await sql`alter table planning_marks drop constraint planning_marks_pkey`.execute(db);
  await sql`alter table planning_marks drop column kind`.execute(db);
  await sql`alter table planning_marks add constraint reminder_plans_pkey primary key (team_id)`.execute(db);
  await sql`alter table planning_marks rename to reminder_plans`.execute(db);
}
