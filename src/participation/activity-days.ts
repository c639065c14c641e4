import { DateTime } from 'luxon';
import type { ActivityRow } from '../db/tables.js';

/** One local day of an activity and its hours that day. */
export interface ActivityDay {
  /** YYYY-MM-DD in the activity's zone: how attendance names the day. */
  day: string;
  start: DateTime;
  end: DateTime;
}

/**
 * The days of an activity with their hours. A schedule file gives only the first start and the
 * last end, so a multi-day workshop (10 March 09:00 to 11 March 16:00) is read as running 09:00 to
 * 16:00 each day: what the lists print and the certificates count. When the end's time of day is
 * not after the start's (an evening-to-noon retreat), each day is counted as far as the activity
 * really runs in it: the first from its start to midnight, the last from midnight to its end.
 */
export function activityDays(activity: Pick<ActivityRow, 'starts_local' | 'ends_local' | 'timezone'>): ActivityDay[] {
  const zone = activity.timezone;
  const start = DateTime.fromISO(activity.starts_local, { zone });
  const end = DateTime.fromISO(activity.ends_local, { zone });
  if (!start.isValid || !end.isValid || end <= start) return [];
  const first = start.startOf('day');
  const count = Math.round(end.startOf('day').diff(first, 'days').days) + 1;
  const sameHours = count === 1 || end.toFormat('HH:mm') > start.toFormat('HH:mm');
  const days: ActivityDay[] = [];
  for (let i = 0; i < count && i < 366; i++) {
    const date = first.plus({ days: i });
    const dayStart = sameHours || i === 0 ? date.set({ hour: start.hour, minute: start.minute }) : date;
    const dayEnd = sameHours || i === count - 1 ? date.set({ hour: end.hour, minute: end.minute }) : date.plus({ days: 1 });
    days.push({ day: date.toISODate()!, start: dayStart, end: dayEnd });
  }
  return days;
}

/** Minutes of the given days (local dates) of an activity. */
export function minutesOn(days: ActivityDay[], present: ReadonlySet<string>): number {
  return days.filter((d) => present.has(d.day)).reduce((sum, d) => sum + Math.round(d.end.diff(d.start, 'minutes').minutes), 0);
}

/** "14 godz." / "3,5 godz.": hours to half an hour, the abbreviation spares plural agreement. */
export function hoursText(minutes: number, language: 'pl' | 'en'): string {
  const hours = Math.round(minutes / 30) / 2;
  return language === 'pl' ? `${String(hours).replace('.', ',')} godz.` : `${hours} h`;
}
