import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { quietHoursRule, quietOf } from '../reminders/quiet-hours.js';
import { activityReminderTime, deadlineReminderTime, personTimingColumns, rsvpClosesAt } from './invitation-timing.js';

/** Before an activity, to those who accepted (issue 6: P7D and P1D by default). */
export const ACTIVITY_REMINDERS = ['P7D', 'P1D'] as const;

const parse = (channels: unknown) => (typeof channels === 'string' ? JSON.parse(channels) : channels) as ChannelKind[];

/** The person's channels, zone and quiet hours, for a query that joins them as `p` and their preferences as `q`. */
interface Recipient {
  person_id: number;
  channels: unknown;
  zone: string;
  quiet_from: number;
  quiet_to: number;
}

/**
 * Plans the reminders of activities: one per accepted person and offset, and one before the RSVP
 * deadline per invited person. Keys carry the start (or deadline), so a moved activity plans new
 * ones; each is rendered when due and dropped if no longer fitting (declined, answered, moved).
 * Both keep to the person's quiet hours like meeting reminders, never past the activity's start
 * or the close of answers (issue 6); retimeInvitations times them again when those hours change.
 */
export async function planActivityReminders(db: Kysely<Database>, clock: Clock): Promise<number> {
  const now = clock.now();
  const rule = quietHoursRule(now);
  const planned: PlannedDelivery[] = [];
  const accepted = await sql<Recipient & { activity_id: string; starts_at: Date; activity_zone: string }>`
    select a.id as activity_id, r.person_id, p.channels, a.starts_at, a.timezone as activity_zone,
      ${personTimingColumns(sql.ref('r.person_id'), sql.ref('a.timezone'))}
    from activities a join rsvps r on r.activity_id = a.id and r.answer = 'accepted'
    join people p on p.id = r.person_id and p.removed_at is null
    left join preferences q on q.person_id = r.person_id
    where a.cancelled_at is null and a.starts_at > ${now}`.execute(db);
  for (const row of accepted.rows) {
    const start = new Date(row.starts_at);
    for (const offset of ACTIVITY_REMINDERS) {
      const meant = activityReminderTime(start, offset, row.activity_zone);
      if (meant.getTime() < now.getTime()) continue;
      planned.push({
        key: `activity-reminder:${row.activity_id}:${row.person_id}:${offset}:${start.toISOString()}`,
        kind: 'reminder',
        personId: row.person_id,
        channels: parse(row.channels),
        payload: { type: 'activity_reminder', activityId: row.activity_id, personId: String(row.person_id), offset, startsAt: start.toISOString() },
        dueAt: rule(meant, start, row.zone, quietOf(row)),
        expiresAt: start,
      });
    }
  }
  const open = await db.selectFrom('activities').selectAll().where('cancelled_at', 'is', null).where('rsvp_by', 'is not', null).where('starts_at', '>', now).execute();
  for (const activity of open) {
    const closes = rsvpClosesAt(activity)!;
    const meant = deadlineReminderTime(activity.rsvp_by!, activity.timezone);
    if (meant.getTime() < now.getTime() || closes.getTime() <= now.getTime()) continue;
    const silent = await sql<Recipient>`
      select i.person_id, p.channels, ${personTimingColumns(sql.ref('i.person_id'), sql`${activity.timezone}`)}
      from invitations i
      join people p on p.id = i.person_id and p.removed_at is null
      left join preferences q on q.person_id = i.person_id
      where i.activity_id = ${activity.id}
        and not exists (select 1 from rsvps r where r.activity_id = i.activity_id and r.person_id = i.person_id)`.execute(db);
    for (const s of silent.rows) {
      planned.push({
        key: `rsvp-deadline:${activity.id}:${s.person_id}:${activity.rsvp_by}`,
        kind: 'invitation',
        personId: s.person_id,
        channels: parse(s.channels),
        payload: { type: 'rsvp_deadline', activityId: activity.id, personId: String(s.person_id) },
        dueAt: rule(meant, closes, s.zone, quietOf(s)),
        expiresAt: closes,
      });
    }
  }
  return enqueue(db, planned);
}
