import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { setDueTimes } from '../delivery/outbox.js';
import { subtractWorkingDays } from '../domain/holidays.js';
import { parseDuration, zoned, zoneNamed } from '../domain/local-time.js';
import { quietHoursColumns, quietHoursRule, quietOf, reminderTimingRule } from '../reminders/quiet-hours.js';

/**
 * Deadlines already worked out, by date and zone: every answer, every seat settled and every row
 * of an invitation planning asks for one of a handful of activities' deadlines, and luxon's zone
 * arithmetic took a second of the service's CPU in the national week's conference hours.
 * A date and a zone always give the same instant; bounded, started again when full.
 */
const closing = new Map<string, number>();
const CLOSINGS_KEPT = 1_000;

/** The end of the RSVP deadline's day in the activity's zone; answers after it are closed. */
export function rsvpClosesAt(activity: Pick<ActivityRow, 'rsvp_by' | 'timezone'>): Date | undefined {
  if (!activity.rsvp_by) return undefined;
  const key = `${activity.rsvp_by} ${activity.timezone}`;
  let at = closing.get(key);
  if (at === undefined) {
    if (closing.size >= CLOSINGS_KEPT) closing.clear();
    at = DateTime.fromISO(activity.rsvp_by, { zone: activity.timezone }).endOf('day').toMillis();
    closing.set(key, at);
  }
  // A new Date each time: callers may keep or change theirs.
  return new Date(at);
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
 * passed). Answers already closed leave only the activity itself as the limit.
 */
export function invitationDueAt(now: Date): (r: InvitationTiming) => Date {
  const rule = quietHoursRule(now);
  return (r) => {
    const starts = new Date(r.starts_at);
    const closes = r.rsvp_by ? rsvpClosesAt({ rsvp_by: r.rsvp_by, timezone: r.activity_zone }) : undefined;
    let limit = closes && closes > now && closes < starts ? closes : starts;
    if (r.until && new Date(r.until) < limit) limit = new Date(r.until);
    return rule(now, limit, r.zone, quietOf(r));
  };
}

/** The one reminder to those who have not answered: this many working days before the RSVP deadline, at 09:00. */
export const DEADLINE_REMINDER_WORKING_DAYS = 3;

/**
 * When a reminder `offset` (P7D) before an activity is meant: calendar days in the activity's
 * zone, so seven days before a Monday 10:00 is the Monday before at 10:00 across a clock
 * change, whatever zone the server runs in.
 */
export function activityReminderTime(start: Date, offset: string, activityZone: string): Date {
  return DateTime.fromJSDate(start, { zone: zoneNamed(activityZone) }).minus(parseDuration(offset)!).toJSDate();
}

/** When the reminder of an RSVP deadline (a local date) is meant: 09:00 in the activity's zone, some working days before. */
export function deadlineReminderTime(rsvpBy: string, activityZone: string): Date {
  return zoned(`${subtractWorkingDays(rsvpBy, DEADLINE_REMINDER_WORKING_DAYS)}T09:00`, activityZone).toJSDate();
}

/** `zone`, `quiet_from`, `quiet_to` of the person `personId` names, for a query that left-joins their preferences as `q`. */
export function personTimingColumns(personId: RawBuilder<unknown>, activityZone: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`coalesce((select t.timezone from memberships m join teams t on t.id = m.team_id
      where m.person_id = ${personId} and m.removed_at is null order by m.team_id limit 1), ${activityZone}) as zone,
    ${quietHoursColumns}`;
}

/**
 * The person's quiet hours changed: their invitations, updates, seat offers and reminders of
 * activities still waiting in the outbox are timed again by the rule they were planned with, as
 * if planned now (a reminder held past its time goes now). Rows already tried keep the time
 * their retry was given.
 */
export async function retimeInvitations(db: Kysely<Database>, personId: number, now: Date): Promise<number> {
  const waiting = await sql<InvitationTiming & { id: number; type: string; offset: string | null; expires_at: Date }>`
    select d.id, d.payload->>'type' as type, d.payload->>'offset' as offset, d.expires_at,
      a.starts_at, a.rsvp_by, a.timezone as activity_zone,
      case when d.payload->>'type' = 'rsvp_offer' then d.expires_at end as until,
      ${personTimingColumns(sql.ref('d.person_id'), sql.ref('a.timezone'))}
    from deliveries d
    join activities a on a.id = d.payload->>'activityId'
    left join preferences q on q.person_id = d.person_id
    where d.person_id = ${personId} and d.state = 'pending' and d.attempts = 0
      and d.payload->>'type' in ('invitation', 'rsvp_offer', 'activity_reminder', 'rsvp_deadline')`.execute(db);
  const invitation = invitationDueAt(now);
  const reminder = quietHoursRule(now);
  const activityReminder = reminderTimingRule(now);
  // Only an activity's reminder may leave ahead of its time (planActivityReminders); the others keep none.
  const timing = (r: (typeof waiting.rows)[number]): { dueAt: Date; earliestAt?: Date } => {
    // A reminder expires when its activity starts, the deadline's when answers close (planActivityReminders).
    const limit = new Date(r.expires_at);
    if (r.type === 'activity_reminder') return activityReminder(activityReminderTime(limit, r.offset!, r.activity_zone), limit, r.zone, quietOf(r), r.activity_zone);
    if (r.type !== 'rsvp_deadline') return { dueAt: invitation(r) };
    const rsvpBy = DateTime.fromJSDate(limit, { zone: zoneNamed(r.activity_zone) }).toISODate()!;
    return { dueAt: reminder(deadlineReminderTime(rsvpBy, r.activity_zone), limit, r.zone, quietOf(r)) };
  };
  return setDueTimes(db, waiting.rows.map((r) => ({ id: Number(r.id), ...timing(r) })), now);
}
