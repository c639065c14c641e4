import { sql, type Kysely } from 'kysely';

/**
 * An invitation's update or cancellation is time-bound (docs/delivery-engine.md, "Order within a
 * lane"): it goes with the reminders, not behind them with the first invitations, so a backlog of
 * time-bound rows can no longer hold it until its activity starts and it expires unsent (people
 * would travel to a cancelled conference). `deliveries_lane_order` (migration 0032) is built again
 * with the new bulk flag: an announcement, or an invitation (`payload.type = 'invitation'`) that
 * is not an update (`payload.update` is not '1', as src/invitations/plan-invitations.ts writes
 * it). Never null: `kind` is not null and the payload's fields are compared with `is [not]
 * distinct from`. The expression is src/delivery/lanes.ts `bulkRow`, written the same way there
 * (the planner matches it as written).
 *
 * The old index is dropped first: its lock on `deliveries` (exclusive, held to the end of the
 * migration) is then the strongest this migration takes, and it takes it at once, so nothing
 * that reads the table before writing to it can deadlock with the build. Reads and writes of
 * `deliveries` wait while the index builds (docs/operations.md, "Upgrading across migration 0034").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_lane_order`.execute(db);
  await sql`create index deliveries_lane_order on deliveries (
    (channels ->> channel_index),
    (kind = 'announcement' or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation' and (payload ->> 'update') is distinct from '1')),
    next_attempt_at, id)
    where state = 'pending'`.execute(db);
}

/** Back to migration 0032's index: every invitation (updates too) bulk. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists deliveries_lane_order`.execute(db);
  await sql`create index deliveries_lane_order on deliveries (
    (channels ->> channel_index), (kind = 'announcement' or (kind = 'invitation' and (payload ->> 'type') is not distinct from 'invitation')), next_attempt_at, id)
    where state = 'pending'`.execute(db);
}
