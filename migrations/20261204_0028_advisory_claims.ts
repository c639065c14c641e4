import { sql, type Kysely } from 'kysely';

/**
 * Claims are session advisory locks now, not a stored state (docs/delivery-engine.md, "Claims"):
 * a row being sent stays `pending`. Rows left `sending` by code before this migration (a process
 * killed mid-batch, or one still running during a rolling upgrade) go back to `pending`, due as
 * they were, so they go out again (what a crash cost before too). Then `sending` is forbidden
 * (`deliveries_not_sending`): a replica of the previous version still running during a rolling
 * upgrade claims with `UPDATE … SET state = 'sending'`, which would take a row a new replica
 * holds by advisory lock and send it twice; with the check its claim fails with an error instead
 * (docs/operations.md, upgrading). The table is locked against writes first, so no old claim
 * slips in between the reset and the check. `deliveries_stuck` served only the old take-back of
 * expired leases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // The migrator runs each migration in a transaction; called alone (a test), it opens one.
  const run = async (trx: Kysely<any>) => {
    await sql`lock table deliveries in share row exclusive mode`.execute(trx);
    await sql`update deliveries set state = 'pending', claimed_by = null, claimed_at = null where state = 'sending'`.execute(trx);
    await sql`alter table deliveries add constraint deliveries_not_sending check (state <> 'sending')`.execute(trx);
    await sql`drop index if exists deliveries_stuck`.execute(trx);
  };
  await (db.isTransaction ? run(db) : db.transaction().execute(run));
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table deliveries drop constraint if exists deliveries_not_sending`.execute(db);
  await sql`create index if not exists deliveries_stuck on deliveries (claimed_at) where state = 'sending'`.execute(db);
}
