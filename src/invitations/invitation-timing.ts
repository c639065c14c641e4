import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { setDueTimes } from '../delivery/outbox.js';
import { outsideQuietHours, quietHoursColumns } from '../reminders/quiet-hours.js';

/** The end of the RSVP deadline's day in the activity's zone; answers after it are closed. */
export function rsvpClosesAt(activity: Pick<ActivityRow, 'rsvp_by' | 'timezone'>): Date | undefined {
  if (!activity.rsvp_by) return undefined;
  return DateTime.fromISO(activity.rsvp_by, { zone: activity.timezone }).endOf('day').toJSDate();
}

/** What the timing of an invitation, an update or a seat offer depends on (columns of the queries below). */
export interface InvitationTiming {
  starts_at: Date;
  rsvp_by: string | null;
  activity_zone: string;
  /** The person's local zone: their (first) team's, else the activity's. */
  zone: string;
  quiet_from: number;
  quiet_to: number;
  /** An earlier instant after which the message is pointless: a seat offer's deadline. */
  until?: Date | null;
}

/**
 * The one quiet-hours rule of invitations (issue 6), for planning, seat offers and a change of
 * quiet hours alike: sent at `now`, or at the end of the person's quiet hours if the answers are
 * still open then (the activity has not begun, its RSVP deadline and the offer's have not
 * passed). Answers already closed leave only the activity itself as the limit. Thousands of
 * people share a zone, quiet hours and limit, so each combination is computed once.
 */
export function invitationDueAt(now: Date): (r: InvitationTiming) => Date {
  const memo = new Map<string, Date>();
  return (r) => {
    const starts = new Date(r.starts_at);
    const closes = r.rsvp_by ? rsvpClosesAt({ rsvp_by: r.rsvp_by, timezone: r.activity_zone }) : undefined;
    let limit = closes && closes > now && closes < starts ? closes : starts;
    if (r.until && new Date(r.until) < limit) limit = new Date(r.until);
    const key = `${r.zone}|${r.quiet_from}|${r.quiet_to}|${limit.getTime()}`;
    let due = memo.get(key);
    if (!due) memo.set(key, (due = outsideQuietHours(now, limit, r.zone, { from: Number(r.quiet_from), to: Number(r.quiet_to) })));
    return due;
  };
}

/** `zone`, `quiet_from`, `quiet_to` of the person `personId` names, for a query that left-joins their preferences as `q`. */
export function personTimingColumns(personId: RawBuilder<unknown>, activityZone: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`coalesce((select t.timezone from memberships m join teams t on t.id = m.team_id
      where m.person_id = ${personId} and m.removed_at is null order by m.team_id limit 1), ${activityZone}) as zone,
    ${quietHoursColumns}`;
}

/**
 * The person's quiet hours changed: their invitations, updates and seat offers still waiting in
 * the outbox are timed again by the rule they were planned with, as if planned now. Rows already
 * tried keep the time their retry was given.
 */
export async function retimeInvitations(db: Kysely<Database>, personId: number, now: Date): Promise<number> {
  const waiting = await sql<InvitationTiming & { id: number }>`
    select d.id, a.starts_at, a.rsvp_by, a.timezone as activity_zone,
      case when d.payload->>'type' = 'rsvp_offer' then d.expires_at end as until,
      ${personTimingColumns(sql.ref('d.person_id'), sql.ref('a.timezone'))}
    from deliveries d
    join activities a on a.id = d.payload->>'activityId'
    left join preferences q on q.person_id = d.person_id
    where d.person_id = ${personId} and d.state = 'pending' and d.attempts = 0
      and d.kind = 'invitation' and d.payload->>'type' in ('invitation', 'rsvp_offer')`.execute(db);
  const dueAt = invitationDueAt(now);
  return setDueTimes(db, waiting.rows.map((r) => ({ id: Number(r.id), dueAt: dueAt(r) })), now);
}
