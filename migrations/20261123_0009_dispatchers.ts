import type { Kysely } from 'kysely';

/**
 * One row per running dispatcher, refreshed every few seconds: replicas on one PostgreSQL
 * count the live ones and each paces at its share of the platforms' limits
 * (src/delivery/live-replicas.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dispatchers')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dispatchers').execute();
}
