import type { Kysely } from 'kysely';

/**
 * How far each team's reminders are planned, and from what data: the daily re-plan then plans
 * only the new day at the end of the horizon, and the whole horizon again only for teams whose
 * data changed since (src/reminders/reminder-plans.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('reminder_plans')
    .addColumn('team_id', 'text', (c) => c.primaryKey().references('teams.id').onDelete('cascade'))
    // Occurrences starting before this instant have their reminders in the outbox.
    .addColumn('planned_until', 'timestamptz', (c) => c.notNull())
    // The newest change among the team, its series, exceptions, members and their preferences, when planned.
    .addColumn('data_stamp', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reminder_plans').execute();
}
