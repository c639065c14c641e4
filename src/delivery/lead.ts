import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { notClaimedNow } from './claims.js';
import { bulkRow, laneCondition, type Lane } from './lanes.js';

/**
 * What a lane has to send soon (docs/delivery-engine.md, "Sending ahead of a lump of reminders"):
 * its pending time-bound rows not claimed now, counted by due instant up to `now + max`. Rows that
 * may not go early count too: they take the lane's time all the same. Bulk rows (`bulkRow`) do
 * not: a claim takes them after every early row (claims.ts, `candidates`), so they delay none.
 */
export interface LaneLoad {
  /** Rows due already. */
  dueNow: number;
  /** Later due instants (epoch ms, ascending): how many rows, and the least `earliest_at` of those that may go early (never tried: claims.ts, dueCondition). */
  ahead: { at: number; n: number; earliest: number | undefined }[];
}

/**
 * The lane's load, in one statement on `deliveries_lane_order` (the range the claim walks): the
 * rows due now counted in one, the window after it grouped by due instant.
 */
export async function laneLoad(db: Kysely<Database>, lane: Lane, now: Date, maxMs: number): Promise<LaneLoad> {
  const until = new Date(now.getTime() + maxMs);
  const { rows } = await sql<{ at: Date | null; n: number; earliest: Date | null }>`
    select null::timestamptz as at, count(*)::int as n, null::timestamptz as earliest from deliveries
    where state = 'pending' and ${laneCondition(lane)} and ${bulkRow} is false and next_attempt_at <= ${now} and ${notClaimedNow()}
    union all
    select next_attempt_at, count(*)::int, min(earliest_at) filter (where attempts = 0 and next_attempt_at = due_at) from deliveries
    where state = 'pending' and ${laneCondition(lane)} and ${bulkRow} is false and next_attempt_at > ${now} and next_attempt_at <= ${until} and ${notClaimedNow()}
    group by next_attempt_at`.execute(db);
  const load: LaneLoad = { dueNow: 0, ahead: [] };
  for (const r of rows) {
    if (r.at === null) load.dueNow += Number(r.n);
    else load.ahead.push({ at: new Date(r.at).getTime(), n: Number(r.n), earliest: r.earliest === null ? undefined : new Date(r.earliest).getTime() });
  }
  load.ahead.sort((a, b) => a.at - b.at);
  return load;
}

/** How the lead is sized: the lane's deployment-wide rate, the cap and one claim's cycle. */
export interface LeadTerms {
  /** Messages a second the lane sends (0: no lead). */
  perSecond: number;
  /** EARLY_SEND_MAX_SECONDS in ms (0: never early). */
  maxMs: number;
  /** One claim's cycle (the longest pace wait, 1 s). */
  cycleMs: number;
}

/**
 * The time (ms) to send what is due up to and at `at`, at the lane's rate, when it counts for a
 * lead: only when it exceeds one claim's cycle. What one claim sends within its cycle leaves on
 * time without a lead, so a lone reminder is not sent a second early for nothing.
 */
function drainMs(rows: number, terms: LeadTerms): number | undefined {
  const ms = (rows * 1000) / terms.perSecond;
  return ms > terms.cycleMs ? ms : undefined;
}

/**
 * The lead L (ms): the furthest instant t within the cap whose rows, and everything due before
 * them, would not all be out by then if the lane waited:
 *
 *     L = max { t − now : now < t ≤ now + max, (B0 + Σ n(≤ t)) ÷ r ≥ (t − now) − m }, else 0
 *
 * counting an instant only when that time exceeds one claim's cycle m (see drainMs). 1,134 rows
 * at one instant at 20 a second: 57.7 s ahead. A horizon once reached (`heldUntil`, the last
 * sizing's `now + L`) holds until it is passed, so a lump begun early goes on at the lane's pace
 * and its tail, once under one cycle's worth, does not wait for its due time.
 */
export function leadMs(load: LaneLoad, now: number, terms: LeadTerms, heldUntil = now): number {
  if (!(terms.perSecond > 0) || !(terms.maxMs > 0)) return 0;
  let rows = load.dueNow;
  let lead = Math.min(Math.max(0, heldUntil - now), terms.maxMs);
  for (const { at, n } of load.ahead) {
    rows += n;
    const ahead = at - now;
    if (ahead > terms.maxMs) break;
    const ms = drainMs(rows, terms);
    if (ahead > 0 && ms !== undefined && ms >= ahead - terms.cycleMs) lead = Math.max(lead, ahead);
  }
  return lead;
}

/**
 * The first instant (epoch ms) at which a row of the load may be claimed early, were nothing else
 * to change: a row due at t_j goes once a lead reaches it (the earliest start
 * `t_i − (B0 + Σ n(≤ t_i)) ÷ r − m`, no earlier than `t_i − max`, of any instant t_i ≥ t_j) and
 * its `earliest_at` has passed. Undefined when none of them may go before its due time (the
 * loop then wakes at the due time, or at `d − max` to look again).
 */
export function firstEarlyAt(load: LaneLoad, now: number, terms: LeadTerms): number | undefined {
  if (!(terms.perSecond > 0) || !(terms.maxMs > 0)) return undefined;
  let rows = load.dueNow;
  const starts = load.ahead.map(({ at, n }) => {
    rows += n;
    const ms = drainMs(rows, terms);
    return ms === undefined ? Number.POSITIVE_INFINITY : Math.max(at - ms - terms.cycleMs, at - terms.maxMs);
  });
  let cover = Number.POSITIVE_INFINITY;
  let first: number | undefined;
  for (let j = load.ahead.length - 1; j >= 0; j--) {
    cover = Math.min(cover, starts[j]!);
    const { at, earliest } = load.ahead[j]!;
    if (earliest === undefined || at <= now) continue;
    const from = Math.max(cover, earliest);
    if (from < at && (first === undefined || from < first)) first = from;
  }
  return first;
}
