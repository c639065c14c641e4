import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { subtractWorkingDays } from '../domain/holidays.js';
import { parseDuration } from '../domain/local-time.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { rsvpClosesAt } from './invitation-timing.js';

/** Before an activity, to those who accepted (issue 6: P7D and P1D by default). */
export const ACTIVITY_REMINDERS = ['P7D', 'P1D'] as const;
/** The one reminder to those who have not answered: this many working days before the RSVP deadline, at 09:00. */
export const DEADLINE_REMINDER_WORKING_DAYS = 3;

const parse = (channels: unknown) => (typeof channels === 'string' ? JSON.parse(channels) : channels) as ChannelKind[];

/**
 * Plans the reminders of activities: one per accepted person and offset, and one before the RSVP
 * deadline per invited person. Keys carry the start (or deadline), so a moved activity plans new
 * ones; each is rendered when due and dropped if no longer fitting (declined, answered, moved).
 */
export async function planActivityReminders(db: Kysely<Database>, clock: Clock): Promise<number> {
  const now = clock.now();
  const planned: PlannedDelivery[] = [];
  const accepted = await sql<{ activity_id: string; person_id: number; channels: unknown; starts_at: Date }>`
    select a.id as activity_id, r.person_id, p.channels, a.starts_at
    from activities a join rsvps r on r.activity_id = a.id and r.answer = 'accepted'
    join people p on p.id = r.person_id and p.removed_at is null
    where a.cancelled_at is null and a.starts_at > ${now}`.execute(db);
  for (const row of accepted.rows) {
    const start = new Date(row.starts_at);
    for (const offset of ACTIVITY_REMINDERS) {
      const due = DateTime.fromJSDate(start).minus(parseDuration(offset)!).toJSDate();
      if (due.getTime() < now.getTime()) continue;
      planned.push({
        key: `activity-reminder:${row.activity_id}:${row.person_id}:${offset}:${start.toISOString()}`,
        kind: 'reminder',
        personId: row.person_id,
        channels: parse(row.channels),
        payload: { type: 'activity_reminder', activityId: row.activity_id, personId: String(row.person_id), offset, startsAt: start.toISOString() },
        dueAt: due,
        expiresAt: start,
      });
    }
  }
  const open = await db.selectFrom('activities').selectAll().where('cancelled_at', 'is', null).where('rsvp_by', 'is not', null).where('starts_at', '>', now).execute();
  for (const activity of open) {
    const closes = rsvpClosesAt(activity)!;
    const day = subtractWorkingDays(activity.rsvp_by!, DEADLINE_REMINDER_WORKING_DAYS);
    const due = DateTime.fromISO(`${day}T09:00`, { zone: activity.timezone }).toJSDate();
    if (due.getTime() < now.getTime() || closes.getTime() <= now.getTime()) continue;
    const silent = await db
      .selectFrom('invitations')
      .innerJoin('people', 'people.id', 'invitations.person_id')
      .select(['invitations.person_id', 'people.channels'])
      .where('invitations.activity_id', '=', activity.id)
      .where('people.removed_at', 'is', null)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('rsvps').select('rsvps.person_id').whereRef('rsvps.activity_id', '=', 'invitations.activity_id').whereRef('rsvps.person_id', '=', 'invitations.person_id'))))
      .execute();
    for (const s of silent) {
      planned.push({
        key: `rsvp-deadline:${activity.id}:${s.person_id}:${activity.rsvp_by}`,
        kind: 'invitation',
        personId: s.person_id,
        channels: parse(s.channels),
        payload: { type: 'rsvp_deadline', activityId: activity.id, personId: String(s.person_id) },
        dueAt: due,
        expiresAt: closes,
      });
    }
  }
  return enqueue(db, planned);
}
