import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { occurrenceOn, takesPlace } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';

/** Late changes: presence may be changed (audited) until this many local days after the meeting or activity ended. */
export const LATE_CHANGE_DAYS = 14;

/** Self check-in opens this long before the activity day starts (docs/participation.md, "Who came"). */
export const SELF_CHECKIN_EARLY_MINUTES = 30;

/** When presence of one meeting occurrence or activity day may be recorded. */
export interface PresenceWindow {
  /** The meeting's (or activity day's) start: nothing is recorded before it, except a self check-in shortly before. */
  start: DateTime;
  /** Its end: a change after it is a late change. */
  end: DateTime;
  /** LATE_CHANGE_DAYS local days after the end, at the same wall-clock time (a clock change in between keeps it). */
  closes: DateTime;
  /** The team's or activity's zone. */
  zone: string;
}

/** The local days of an activity, from starts_local to ends_local (both included): a multi-day workshop is recorded per day. */
export function activityDays(activity: Pick<ActivityRow, 'starts_local' | 'ends_local'>): string[] {
  const days: string[] = [];
  const last = activity.ends_local.slice(0, 10);
  for (let day = DateTime.fromISO(activity.starts_local.slice(0, 10), { zone: 'UTC' }); day.toISODate()! <= last; day = day.plus({ days: 1 })) {
    days.push(day.toISODate()!);
  }
  return days;
}

/**
 * One day of an activity: from the start's wall-clock time to the end's on that day (the
 * schedule gives one start and one end; a workshop of 09:00 on the 10th to 16:00 on the 11th
 * runs 09:00–16:00 both days). A day whose end time is not after its start runs until midnight.
 */
export function activityDayTimes(activity: Pick<ActivityRow, 'starts_local' | 'ends_local' | 'timezone'>, day: string): { start: DateTime; end: DateTime } {
  const zone = activity.timezone;
  const startTime = activity.starts_local.slice(11, 16);
  const endTime = activity.ends_local.slice(11, 16);
  const start = DateTime.fromISO(`${day}T${startTime}`, { zone });
  const end = endTime > startTime ? DateTime.fromISO(`${day}T${endTime}`, { zone }) : DateTime.fromISO(day, { zone }).plus({ days: 1 });
  return { start, end };
}

const closing = (end: DateTime, zone: string) => end.setZone(zone).plus({ days: LATE_CHANGE_DAYS });

/** The window of a meeting occurrence as it stands now (a moved meeting counts from its new time); undefined: no such meeting, or it does not take place. */
export async function meetingWindow(db: Kysely<Database>, teamId: string, date: string): Promise<PresenceWindow | undefined> {
  const [team] = await loadTeams(db, [teamId]);
  const occurrence = team && occurrenceOn(team.meetings, date);
  if (!team || !occurrence || !takesPlace(occurrence)) return undefined;
  const zone = team.team.timezone;
  return { start: occurrence.start.setZone(zone), end: occurrence.end.setZone(zone), closes: closing(occurrence.end, zone), zone };
}

/** The window of one day of an activity; undefined: no such activity, cancelled, or not one of its days. */
export function activityDayWindow(activity: ActivityRow, day: string): PresenceWindow | undefined {
  if (activity.cancelled_at || !activityDays(activity).includes(day)) return undefined;
  const { start, end } = activityDayTimes(activity, day);
  // Late changes count from the end of the whole activity: RCPS lists a workshop once it is over.
  return { start, end, closes: closing(DateTime.fromJSDate(activity.ends_at), activity.timezone), zone: activity.timezone };
}
