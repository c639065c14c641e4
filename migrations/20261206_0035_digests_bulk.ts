import { sql, type Kysely } from 'kysely';

/**
 * The RCPS digest is bulk (docs/delivery-engine.md, "Order within a lane"): a week of every team,
 * sent on Monday at 08:00 with hours to spare, it goes after the lane's time-bound rows due then
 * (the meeting reminders held overnight by quiet hours), not among them. Composed among them, 17
 * digests of 2,857 teams each (their occurrences expanded, a large e-mail per person) made the
 * national week's Monday 08:00 reminders its latest (2.0 s real at 1,008×, the week's p99 1.3 s).
 * `deliveries_lane_order` (migration 0034) is built again with the new bulk flag; the expression
 * is src/delivery/lanes.ts `bulkRow`, written the same way there (the planner matches it as written).
 *
 * As in 0034, the old index is dropped first so the strongest lock is taken at once; reads and
 * writes of `deliveries` wait while the index builds (docs/operations.md, "Upgrading across
 * migration 0035").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_lane_order`.execute(db);
  await sql`create index deliveries_lane_order on deliveries (
    (channels ->> channel_index),
    (kind in ('announcement', 'digest') or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation' and (payload ->> 'update') is distinct from '1')),
    next_attempt_at, id)
    where state = 'pending'`.execute(db);
}

/** Back to migration 0034's index: digests time-bound. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_lane_order`.execute(db);
  await sql`create index deliveries_lane_order on deliveries (
    (channels ->> channel_index),
    (kind = 'announcement' or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation' and (payload ->> 'update') is distinct from '1')),
    next_attempt_at, id)
    where state = 'pending'`.execute(db);
}
