import type { Kysely } from 'kysely';

/**
 * `dispatchers.timeout_ms`: the replica's own REPLICA_TIMEOUT_SECONDS, written with each
 * heartbeat. The others judge its heartbeat by it, not by their own: during a rolling change
 * of the setting (30 → 3) a replica beating every 5 s is not counted dead by one that would
 * wait only 3 s, and its claimed rows are not sent twice (src/delivery/replica-timeouts.ts).
 * Empty for a replica running code older than this migration: judged by the old default.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dispatchers').addColumn('timeout_ms', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dispatchers').dropColumn('timeout_ms').execute();
}
