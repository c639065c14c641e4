import type { Kysely } from 'kysely';

/**
 * Deliveries to a place rather than a person: a team's Slack channel, the RCPS channel. Such a
 * row names its address and language itself; person_id stays null.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('place_address', 'text')
    .addColumn('place_language', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('place_address').dropColumn('place_language').execute();
}
