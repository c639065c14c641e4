import { sql, type Kysely } from 'kysely';

/**
 * The seat offers of an activity, apart from its invitations: every answer asks whether one is
 * overdue (src/invitations/rsvp.ts, answerState), the sweep lapses them, and seatsTaken counts
 * those standing. Without this index each of those read every invitation of the activity (the
 * primary key holds no offer), some 5,000 at a national conference, for every answer; offers are
 * few, so the index is small. Partial: only rows that hold an offer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index invitations_offers on invitations (activity_id, offer_expires_at) where offer_expires_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists invitations_offers`.execute(db);
}
