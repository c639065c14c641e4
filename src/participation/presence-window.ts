import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database } from '../db/tables.js';
import { occurrenceOn, takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams } from '../feeds/feed-data.js';
import { activityDays as daysOf } from './activity-days.js';

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

/**
 * The local days of an activity (a multi-day workshop is recorded per day): the days of
 * activity-days.ts, the one source of truth for an activity's days and their hours (an end at
 * midnight adds no day). Without a zone the wall-clock times are read as they are.
 */
export function activityDays(activity: Pick<ActivityRow, 'starts_local' | 'ends_local'> & { timezone?: string }): string[] {
  return daysOf({ ...activity, timezone: activity.timezone ?? 'UTC' }).map((d) => d.day);
}

/**
 * One day of an activity: its hours as activity-days.ts gives them (the same hours each day when
 * the end's time is after the start's, else the working day 09:00–17:00, bounded by the
 * activity's own start and end). A day that is not the activity's is empty (start = end).
 */
export function activityDayTimes(activity: Pick<ActivityRow, 'starts_local' | 'ends_local' | 'timezone'>, day: string): { start: DateTime; end: DateTime } {
  const found = daysOf(activity).find((d) => d.day === day);
  if (found) return { start: found.start, end: found.end };
  const midnight = DateTime.fromISO(day, { zone: activity.timezone });
  return { start: midnight, end: midnight };
}

const closing = (end: DateTime, zone: string) => end.setZone(zone).plus({ days: LATE_CHANGE_DAYS });

/** The window of a meeting occurrence as it stands now (a moved meeting counts from its new time); undefined: no such meeting, or it does not take place. */
export async function meetingWindow(db: Kysely<Database>, teamId: string, date: string): Promise<PresenceWindow | undefined> {
  const [team] = await loadTeams(db, [teamId]);
  const occurrence = team && occurrenceOn(team.meetings, date);
  if (!team || !occurrence || !takesPlace(occurrence)) return undefined;
  return occurrenceWindow(occurrence, team.team.timezone);
}

/** The window of an occurrence that takes place, in the team's zone (meetingWindow, for one already read and worked out). */
export function occurrenceWindow(occurrence: Occurrence, zone: string): PresenceWindow {
  return { start: occurrence.start.setZone(zone), end: occurrence.end.setZone(zone), closes: closing(occurrence.end, zone), zone };
}

/** The window of one day of an activity; undefined: no such activity, cancelled, or not one of its days. */
export function activityDayWindow(activity: ActivityRow, day: string): PresenceWindow | undefined {
  if (activity.cancelled_at || !activityDays(activity).includes(day)) return undefined;
  const { start, end } = activityDayTimes(activity, day);
  // Late changes count from the end of the whole activity: RCPS lists a workshop once it is over.
  return { start, end, closes: closing(DateTime.fromJSDate(activity.ends_at), activity.timezone), zone: activity.timezone };
}
