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
 * The working day assumed for the days of a multi-day activity whose schedule does not say its
 * hours (see activityDays): 09:00 to 17:00 local time.
 */
export const WORKING_DAY = { start: { hour: 9, minute: 0 }, end: { hour: 17, minute: 0 } } as const;

/**
 * The days of an activity with their hours. A schedule file gives only the first start and the
 * last end, so a multi-day workshop (10 March 09:00 to 11 March 16:00) is read as running 09:00 to
 * 16:00 each day: what the lists print and the certificates count. When the end's time of day is
 * not after the start's (a residential workshop, Friday 15:00 to Sunday 13:00), the hours of each
 * day are not known; the working day (WORKING_DAY, 09:00–17:00) stands in for them: the first day
 * runs from the start to 17:00, the middle days 09:00–17:00, the last from 09:00 to the end. A day
 * is never longer than the activity really runs in it: a start after 17:00 runs to midnight, an
 * end before 09:00 from midnight. An end at midnight closes the day before (18:00 to 00:00 is
 * one evening), so no day is ever empty.
 */
export function activityDays(activity: Pick<ActivityRow, 'starts_local' | 'ends_local' | 'timezone'>): ActivityDay[] {
  const zone = activity.timezone;
  const start = DateTime.fromISO(activity.starts_local, { zone });
  const end = DateTime.fromISO(activity.ends_local, { zone });
  if (!start.isValid || !end.isValid || end <= start) return [];
  const first = start.startOf('day');
  // The last day is the one the activity's last moment belongs to: an end at 00:00 closes the day before.
  const lastDay = end.minus({ milliseconds: 1 }).startOf('day');
  const count = Math.round(lastDay.diff(first, 'days').days) + 1;
  const sameHours = count === 1 || (end.toFormat('HH:mm') > start.toFormat('HH:mm') && end.toFormat('HH:mm') !== '00:00');
  const days: ActivityDay[] = [];
  for (let i = 0; i < count && i < 366; i++) {
    const date = first.plus({ days: i });
    const midnight = date.plus({ days: 1 });
    let dayStart: DateTime;
    let dayEnd: DateTime;
    if (count === 1) [dayStart, dayEnd] = [start, end];
    else if (sameHours) [dayStart, dayEnd] = [date.set({ hour: start.hour, minute: start.minute }), date.set({ hour: end.hour, minute: end.minute })];
    else {
      const workStart = date.set(WORKING_DAY.start);
      const workEnd = date.set(WORKING_DAY.end);
      dayStart = i === 0 ? start : workStart;
      dayEnd = i === count - 1 ? end : workEnd;
      if (i === 0 && dayStart >= workEnd) dayEnd = midnight;
      if (i === count - 1 && dayEnd <= workStart) dayStart = date;
    }
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
