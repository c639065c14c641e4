import { sql, type Kysely } from 'kysely';

/**
 * The order of a lane's claims (docs/delivery-engine.md, "Order within a lane"): time-bound rows
 * before bulk ones (an activity's invitations, announcements), each in due order. The bulk flag
 * sits after the lane, so a claim reads the time-bound rows and then the bulk ones as two ranges
 * of one index, each stopping at the batch, never a sort of the lane. The expression is
 * src/delivery/lanes.ts `bulkRow`, written the same way there (the planner matches it as written).
 * deliveries_lane_due stays: the next due time and the gauge read the lane whatever the kind.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index deliveries_lane_order on deliveries (
    (channels ->> channel_index), (kind = 'announcement' or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation')), next_attempt_at, id)
    where state = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_lane_order`.execute(db);
}
