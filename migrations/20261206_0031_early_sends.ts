import { sql, type Kysely } from 'kysely';

/**
 * The earliest instant a row may leave before its due time (docs/delivery-engine.md, "Sending
 * ahead of a lump of reminders"). Meeting and activity reminders fall due in lumps (meetings
 * start on the hour); a lane starts such a lump early enough that its last row leaves by its
 * due time. null: never before next_attempt_at, which is what every other writer leaves.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table deliveries add column earliest_at timestamptz`.execute(db);
  // The pending reminders still without one (planned before this column, or by a replica of the
  // previous version during a rolling upgrade): the start-up back-fill walks this small index
  // (src/reminders/earliest-backfill.ts) instead of the whole table at every start.
  await sql`create index deliveries_earliest_missing on deliveries (id)
    where earliest_at is null and state = 'pending' and kind = 'reminder' and (payload->>'type') in ('reminder', 'activity_reminder')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_earliest_missing`.execute(db);
  await sql`alter table deliveries drop column earliest_at`.execute(db);
}
