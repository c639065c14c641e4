import { sql, type Kysely } from 'kysely';

/**
 * Indexes for the delivery engine's questions (docs/delivery-engine.md):
 * - `deliveries_lane_due`: what is due in one lane (the channel a row is at), in due order (ties in
 *   queue order), so a claim reads the batch it takes and no more; replaces the claim's old sort of every due row.
 * - `deliveries_person`: a person's deliveries (their personal page, erasure, the recipient join).
 * - `deliveries_dead`: `dostarczenia`, the dead letters and the retried ones, newest first.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index deliveries_lane_due on deliveries ((channels ->> channel_index), next_attempt_at, id) where state = 'pending'`.execute(db);
  await sql`create index deliveries_person on deliveries (person_id)`.execute(db);
  await sql`create index deliveries_dead on deliveries (updated_at) where state = 'failed' or requeued_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index deliveries_dead`.execute(db);
  await sql`drop index deliveries_person`.execute(db);
  await sql`drop index deliveries_lane_due`.execute(db);
}
