import { sql, type Kysely } from 'kysely';

/**
 * Teams channels as delivery places: a team's `teams_channel` from the schedule file, and how
 * the bot reaches a place on a platform. Teams posts to a channel only through the serviceUrl
 * and tenant it saw in that team (install, or a message there), so each channel or team the
 * bot has been in is kept with its conversation reference, as person_channels keeps people's.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('teams').addColumn('teams_channel', 'text').execute();
  await db.schema
    .createTable('place_channels')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('place_channels_pk', ['channel', 'external_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('place_channels').execute();
  await db.schema.alterTable('teams').dropColumn('teams_channel').execute();
}
