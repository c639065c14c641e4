import type { Kysely } from 'kysely';

/**
 * When a seat offered from the waiting list lapsed unanswered (its deadline). The person's
 * answer stays what they said ("waiting list"); this marks that they left the list because the
 * offer lapsed, so nothing has to invent a decline for them (docs/invitations.md).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('offer_lapsed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('offer_lapsed_at').execute();
}
