import { sql, type Kysely } from 'kysely';

/**
 * Claims are session advisory locks now, not a stored state (docs/delivery-engine.md, "Claims"):
 * a row being sent stays `pending`. Rows left `sending` by code before this migration (a process
 * killed mid-batch, or one still running during a rolling upgrade) go back to `pending`, due as
 * they were, so they go out again (what a crash cost before too). The `sending` value stays
 * allowed by the check, so such a row is still readable. `deliveries_stuck` served only the old
 * take-back of expired leases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update deliveries set state = 'pending', claimed_by = null, claimed_at = null where state = 'sending'`.execute(db);
  await sql`drop index if exists deliveries_stuck`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists deliveries_stuck on deliveries (claimed_at) where state = 'sending'`.execute(db);
}
