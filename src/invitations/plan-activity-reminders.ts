import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { parseDuration } from '../domain/local-time.js';
import { plannedTimingRule, quietHoursRule, quietOf } from '../reminders/quiet-hours.js';
import { activityReminderTime, deadlineReminderTime, personTimingColumns, rsvpClosesAt } from './invitation-timing.js';

/** Before an activity, to those who accepted (issue 6: P7D and P1D by default). */
export const ACTIVITY_REMINDERS = ['P7D', 'P1D'] as const;

const parse = (channels: unknown) => (typeof channels === 'string' ? JSON.parse(channels) : channels) as ChannelKind[];

/** One person's answer to one activity: planActivityReminders then plans for that pair alone. */
export interface Answered {
  activityId: string;
  personId: number;
}

/**
 * Answers written by transactions from this one on (PlanningMark.xmin, invitation-inputs.ts):
 * what the 15-minute sweep looks at when nothing else it plans from changed since its last run.
 */
export interface AnsweredSince {
  answeredSince: string;
}

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
 *
 * It runs every 15 minutes, so the queries leave out, by key, what is already in the outbox (in
 * any state): a national conference re-offered some 12,000 keys each sweep. An accepted person is
 * read while one of their offsets is neither in the outbox nor surely past (more than a day past
 * its time counted in whole days, as quiet hours may hold it that long, and two hours to spare for
 * a clock change: the exact local time and the hold are decided here, plannedReminderTiming).
 * Both are read in person order, so the rows are written in one order whatever the plan.
 *
 * `only`: after one answer (DeliveryService.answered), that person's reminders of that activity
 * and nothing else. Or the answers written since a complete planning (AnsweredSince), when
 * nothing else changed: then no deadline reminder is planned either (those follow from
 * invitations, activities and removed answers, whose changes make the sweep plan in full).
 * Without it, everything in full.
 */
export async function planActivityReminders(db: Kysely<Database>, clock: Clock, only?: Answered | AnsweredSince): Promise<number> {
  const now = clock.now();
  const rule = quietHoursRule(now);
  const timing = plannedTimingRule(now);
  const planned: PlannedDelivery[] = [];
  // Each offset's `settled` read once per person: the query keeps those with one still to plan,
  // and the loop offers only those (a key already there is not offered again at every sweep).
  const accepted = await sql<Recipient & { activity_id: string; starts_at: Date; activity_zone: string; settled: boolean[] }>`
    select * from (
      select a.id as activity_id, r.person_id, p.channels, a.starts_at, a.timezone as activity_zone,
        ${personTimingColumns(sql.ref('r.person_id'), sql.ref('a.timezone'))},
        array[${sql.join(ACTIVITY_REMINDERS.map((offset) => settled(offset, now)))}] as settled
      from activities a join rsvps r on r.activity_id = a.id and r.answer = 'accepted'
      join people p on p.id = r.person_id and p.removed_at is null
      left join preferences q on q.person_id = r.person_id
      where a.cancelled_at is null and a.starts_at > ${now}
        ${only === undefined ? sql`` : 'answeredSince' in only
          // By age, not by value: xids wrap around. A row's xmin is the transaction that wrote this version of it.
          ? sql`and age(r.xmin) <= age(${only.answeredSince}::xid)`
          : sql`and a.id = ${only.activityId} and r.person_id = ${only.personId}`}
    ) x
    where not (true = all(x.settled))
    order by x.activity_id, x.person_id`.execute(db);
  for (const row of accepted.rows) {
    const start = new Date(row.starts_at);
    for (const [i, offset] of ACTIVITY_REMINDERS.entries()) {
      if (row.settled[i]) continue;
      const meant = activityReminderTime(start, offset, row.activity_zone);
      // As a meeting's (plan-reminders.ts): a time meant already past counts only while the
      // person's quiet hours hold it to a time to come (plannedTimingRule).
      const timed = timing(meant, start, row.zone, quietOf(row), row.activity_zone);
      if (!timed) continue;
      planned.push({
        key: `activity-reminder:${row.activity_id}:${row.person_id}:${offset}:${start.toISOString()}`,
        kind: 'reminder',
        personId: row.person_id,
        channels: parse(row.channels),
        payload: { type: 'activity_reminder', activityId: row.activity_id, personId: String(row.person_id), offset, startsAt: start.toISOString() },
        // By the person's quiet hours in their zone; its text counts days in the activity's.
        ...timed,
        expiresAt: start,
      });
    }
  }
  // An answer adds no deadline reminder (it ends the need for one: dropped when due).
  if (only) return enqueue(db, planned);
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
        and not exists (select 1 from rsvps r where r.activity_id = i.activity_id and r.person_id = i.person_id)
        and not exists (select 1 from deliveries d where d.dedupe_key = ${`rsvp-deadline:${activity.id}:`} || i.person_id || ${`:${activity.rsvp_by}`})
      order by i.person_id`.execute(db);
    for (const s of silent.rows) {
      planned.push({
        key: `rsvp-deadline:${activity.id}:${s.person_id}:${activity.rsvp_by}`,
        kind: 'invitation',
        personId: s.person_id,
        channels: parse(s.channels),
        payload: { type: 'rsvp_deadline', activityId: activity.id, personId: String(s.person_id) },
        // Not a reminder of the activity: never sent ahead of its time (no earliest_at), only its due time.
        dueAt: rule(meant, closes, s.zone, quietOf(s)),
        expiresAt: closes,
      });
    }
  }
  return enqueue(db, planned);
}

/**
 * An accepted person's reminder at this offset needs no more planning: its row is in the outbox
 * (the key as planActivityReminders writes it: toISOString of the start), or its time has surely
 * passed and no quiet hours can still hold it: more than a day ago (quiet hours come daily, so
 * none holds a reminder longer), with two hours more for a day a clock change lengthens.
 * For a query joining activities as `a` and rsvps as `r`.
 */
function settled(offset: (typeof ACTIVITY_REMINDERS)[number], now: Date) {
  const ms = parseDuration(offset)!.as('milliseconds') - 26 * 3600_000;
  return sql`(exists (select 1 from deliveries d where d.dedupe_key = ${'activity-reminder:'} || a.id || ':' || r.person_id || ${`:${offset}:`}
      || to_char(a.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    or a.starts_at - ${ms} * interval '1 millisecond' < ${now})`;
}
