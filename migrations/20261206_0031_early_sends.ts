import { sql, type Kysely } from 'kysely';

/**
 * The earliest instant a row may leave before its due time (docs/delivery-engine.md, "Sending
 * ahead of a lump of reminders"). Meeting and activity reminders fall due in lumps (meetings
 * start on the hour); a lane starts such a lump early enough that its last row leaves by its
 * due time. null: never before next_attempt_at, which is what every other writer leaves.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table deliveries add column earliest_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table deliveries drop column earliest_at`.execute(db);
}
