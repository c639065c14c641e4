import type { Kysely } from 'kysely';

/**
 * When a dead letter to a Teams channel was put back in the outbox because the bot was since
 * added to that channel's team: it is retried once (a second install finds it marked), and
 * `dostarczenia` shows coordinators that it was retried and how that went.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('requeued_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deliveries').dropColumn('requeued_at').execute();
}
