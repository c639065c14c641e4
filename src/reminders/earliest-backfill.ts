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
 * time). It walks the table by ranges of ids (one primary-key range per statement, its width
 * sized by time, so no statement holds PGlite's thread long however few rows match) and writes
 * only rows whose `earliest_at` is still null: a run stopped halfway (a crash, a failed
 * statement) leaves the rest to the next start, which walks again and skips what is done. A row
 * re-timed meanwhile (its due time changed under the read) is left to the writer that re-timed it.
 */
export async function backfillEarliestSend(db: Kysely<Database>, options: { batchSize?: number } = {}): Promise<number> {
  const span = options.batchSize;
  const sizer = span ? new BatchSizer(span, span, span) : new BatchSizer(1000, 100, 50_000);
  const earliest = earliestSendRule();
  const bounds = await sql<{ low: string | null; high: string | null }>`select min(id) as low, max(id) as high from deliveries`.execute(db);
  if (bounds.rows[0]?.low == null) return 0;
  const high = Number(bounds.rows[0].high);
  let filled = 0;
  for (let from = Number(bounds.rows[0].low) - 1; from < high; ) {
    const to = from + sizer.next;
    await sizer.timed(
      async () => (filled += await fillRange(db, from, to, earliest)),
      () => to - from,
    );
    from = to;
  }
  return filled;
}

/** Pending reminders without earliest_at whose id is in (from, to]: given one; how many were written. */
async function fillRange(db: Kysely<Database>, from: number, to: number, earliest: ReturnType<typeof earliestSendRule>): Promise<number> {
  const { rows } = await sql<Waiting>`
    select d.id, d.due_at, d.expires_at, a.timezone as activity_zone,
      ${personTimingColumns(sql`(case when a.id is not null then d.person_id end)`, sql`coalesce(a.timezone, t.timezone)`)}
    from deliveries d
    left join teams t on t.id = d.team_id and d.payload->>'type' = 'reminder'
    left join activities a on a.id = d.payload->>'activityId' and d.payload->>'type' = 'activity_reminder'
    left join preferences q on q.person_id = d.person_id
    where d.id > ${from} and d.id <= ${to} and d.state = 'pending' and d.earliest_at is null
      and d.kind = 'reminder' and d.payload->>'type' in ('reminder', 'activity_reminder')`.execute(db);
  if (rows.length === 0) return 0;
  const values = rows.map((r) => {
    const due = new Date(r.due_at);
    // Its meeting or activity gone from under it (no zone) or no limit: it keeps its due time, never early.
    const at = r.zone && r.expires_at ? earliest(due, new Date(r.expires_at), r.zone, quietOf(r), r.activity_zone ?? r.zone) : due;
    return { id: Number(r.id), due, earliestAt: at };
  });
  const result = await sql`
    update deliveries d set earliest_at = u.earliest_at
    from unnest(${values.map((v) => v.id)}::bigint[], ${values.map((v) => v.due.toISOString())}::timestamptz[],
      ${values.map((v) => v.earliestAt.toISOString())}::timestamptz[]) as u(id, due_at, earliest_at)
    where d.id = u.id and d.earliest_at is null and d.due_at = u.due_at`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
