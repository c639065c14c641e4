import { sql, type Kysely } from 'kysely';

/**
 * Planning marks for check-ins and attendance summaries too, not only reminders: the daily
 * re-plan then plans only the new day at the end of the horizon for each of them, and offers
 * the whole horizon again only for teams whose data changed (src/reminders/reminder-plans.ts).
 * At national scale (2,857 teams) re-offering every check-in and summary key of 60 days to
 * ON CONFLICT each day took seconds, and on PGlite that is seconds of a frozen service.
 * reminder_plans becomes planning_marks with a kind; its rows are the reminders' marks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table reminder_plans rename to planning_marks`.execute(db);
  await sql`alter table planning_marks add column kind text not null default 'reminders'`.execute(db);
  await sql`alter table planning_marks alter column kind drop default`.execute(db);
  await sql`alter table planning_marks drop constraint reminder_plans_pkey`.execute(db);
  await sql`alter table planning_marks add constraint planning_marks_pkey primary key (team_id, kind)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from planning_marks where kind <> 'reminders'`.execute(db);
  await sql`alter table planning_marks drop constraint planning_marks_pkey`.execute(db);
  await sql`alter table planning_marks drop column kind`.execute(db);
  await sql`alter table planning_marks add constraint reminder_plans_pkey primary key (team_id)`.execute(db);
  await sql`alter table planning_marks rename to reminder_plans`.execute(db);
}
