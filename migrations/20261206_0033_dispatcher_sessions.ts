import type { Kysely } from 'kysely';

/**
 * `dispatchers.session_pid`: the backend pid of the replica's claim session (its dedicated
 * session for advisory-lock claims, src/delivery/claim-locks.ts), written with each heartbeat.
 * A process that dies loses that session at once, so a row whose pid is no longer a live backend
 * stops counting as a live replica at once, instead of after its REPLICA_TIMEOUT_SECONDS
 * (src/delivery/live-replicas.ts). Empty while the replica has no such session (PGlite, before
 * its first claim, after the session broke) and for code older than this migration: such rows
 * are judged by their age alone, as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dispatchers').addColumn('session_pid', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('dispatchers').dropColumn('session_pid').execute();
}
