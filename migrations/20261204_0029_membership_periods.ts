import { sql, type Kysely } from 'kysely';

/**
 * Membership history: `memberships` keeps one row per person and team, so someone who left and
 * came back kept their first `created_at` and lost their `removed_at`, and counted as a member
 * of the meetings in between. `membership_periods` holds each stretch as [started_at, ended_at)
 * (ended_at null: still a member), written in the same transaction as every change of
 * `memberships` (src/participation/membership-periods.ts). Backfilled with the one period each
 * membership row can tell: [created_at, removed_at). At most one open period per person and
 * team (membership_periods_open).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('membership_periods')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('person_id', 'integer', (c) => c.notNull().references('people.id').onDelete('cascade'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .addCheckConstraint('membership_periods_order', sql`ended_at is null or ended_at >= started_at`)
    .execute();
  await sql`create unique index membership_periods_open on membership_periods (team_id, person_id) where ended_at is null`.execute(db);
  await db.schema.createIndex('membership_periods_member').on('membership_periods').columns(['team_id', 'person_id', 'started_at']).execute();
  await db.schema.createIndex('membership_periods_person').on('membership_periods').column('person_id').execute();
  await sql`insert into membership_periods (team_id, person_id, started_at, ended_at)
    select team_id, person_id, created_at, case when removed_at is null then null else greatest(removed_at, created_at) end
    from memberships`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('membership_periods').execute();
}
