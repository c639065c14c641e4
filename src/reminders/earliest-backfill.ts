import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { personTimingColumns } from '../invitations/invitation-timing.js';
import { BatchSizer } from '../time-slices.js';
import { earliestSendRule, quietOf } from './quiet-hours.js';

interface Waiting {
  id: number;
  due_at: Date;
  expires_at: Date | null;
  activity_zone: string | null;
  zone: string | null;
  quiet_from: number;
  quiet_to: number;
}

/**
 * Reminders planned before `earliest_at` existed (migration 0031) have none, so they are never
 * sent ahead of their lump. Once at start-up, this gives each pending meeting or activity
 * reminder without one the value its planning would have written (`earliestSend`, from its due
 * time). It walks the partial index of exactly those rows (`deliveries_earliest_missing`, empty
 * once done, so a start costs one empty index probe) in id order, a batch sized by time per
 * statement, so no statement holds PGlite's thread long. It writes only rows whose
 * `earliest_at` is still null: a run stopped halfway (a crash, a failed statement) leaves the rest
 * to the next start. A row re-timed meanwhile (its due time changed under the read) is left to the
 * writer that re-timed it; a row it cannot place (its meeting gone) stays null and is passed over.
 */
export async function backfillEarliestSend(db: Kysely<Database>, options: { batchSize?: number } = {}): Promise<number> {
  const size = options.batchSize;
  const sizer = size ? new BatchSizer(size, size, size) : new BatchSizer(1000, 100, 50_000);
  const earliest = earliestSendRule();
  let filled = 0;
  for (let after = 0; ; ) {
    const limit = sizer.next;
    const batch = await sizer.timed(
      () => fillAfter(db, after, limit, earliest),
      () => limit,
    );
    filled += batch.filled;
    if (batch.last === undefined) return filled;
    after = batch.last;
  }
}

/** The next `limit` pending reminders without earliest_at after id `after`: given one. How many were written, and the last id read. */
async function fillAfter(db: Kysely<Database>, after: number, limit: number, earliest: ReturnType<typeof earliestSendRule>): Promise<{ filled: number; last?: number }> {
  const { rows } = await sql<Waiting>`
    select d.id, d.due_at, d.expires_at, a.timezone as activity_zone,
      ${personTimingColumns(sql`(case when a.id is not null then d.person_id end)`, sql`coalesce(a.timezone, t.timezone)`)}
    from (
      -- The partial index's own predicate, so the walk reads that index and nothing else.
      select * from deliveries
      where earliest_at is null and state = 'pending' and kind = 'reminder' and (payload->>'type') in ('reminder', 'activity_reminder') and id > ${after}
      order by id limit ${limit}
    ) d
    left join teams t on t.id = d.team_id and d.payload->>'type' = 'reminder'
    left join activities a on a.id = d.payload->>'activityId' and d.payload->>'type' = 'activity_reminder'
    left join preferences q on q.person_id = d.person_id
    order by d.id`.execute(db);
  if (rows.length === 0) return { filled: 0 };
  const values = rows.map((r) => {
    const due = new Date(r.due_at);
    // Not personalReminderTiming: the row keeps the due time it has (planned, held or re-timed
    // before), so only earliestSend of it; timing it again here would move rows already planned.
    // Memoised (earliestSendRule): one start may fill some hundred thousand rows.
    // Its meeting or activity gone from under it (no zone) or no limit: it keeps its due time, never early.
    const at = r.zone && r.expires_at ? earliest(due, new Date(r.expires_at), r.zone, quietOf(r), r.activity_zone ?? r.zone) : due;
    return { id: Number(r.id), due, earliestAt: at };
  });
  const result = await sql`
    update deliveries d set earliest_at = u.earliest_at
    from unnest(${values.map((v) => v.id)}::bigint[], ${values.map((v) => v.due.toISOString())}::timestamptz[],
      ${values.map((v) => v.earliestAt.toISOString())}::timestamptz[]) as u(id, due_at, earliest_at)
    where d.id = u.id and d.earliest_at is null and d.due_at = u.due_at`.execute(db);
  return { filled: Number(result.numAffectedRows ?? 0), last: values[values.length - 1]!.id };
}
