import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

const polish = new Holidays('PL');
const byYear = new Map<number, Map<string, string>>();

/** Polish public holidays of a year, 'YYYY-MM-DD' → name (24 December counts from 2025). */
function publicHolidays(year: number): Map<string, string> {
  let days = byYear.get(year);
  if (!days) {
    days = new Map();
    // `date` is the local calendar date as text; using it avoids the process time zone.
    for (const holiday of polish.getHolidays(year)) {
      if (holiday.type === 'public') days.set(holiday.date.slice(0, 10), holiday.name);
    }
    byYear.set(year, days);
  }
  return days;
}

/** The holiday's Polish name when `isoDate` (YYYY-MM-DD) is a public holiday in Poland. */
export function polishHoliday(isoDate: string): string | undefined {
  return publicHolidays(Number(isoDate.slice(0, 4))).get(isoDate);
}

/** Monday to Friday and not a public holiday. */
export function isWorkingDay(isoDate: string): boolean {
  const weekday = DateTime.fromISO(isoDate, { zone: 'UTC' }).weekday;
  return weekday <= 5 && polishHoliday(isoDate) === undefined;
}

/** The first working day after `isoDate`. */
export function nextWorkingDay(isoDate: string): string {
  let day = DateTime.fromISO(isoDate, { zone: 'UTC' });
  do day = day.plus({ days: 1 });
  while (!isWorkingDay(day.toISODate()!));
  return day.toISODate()!;
}

/** `count` working days after `isoDate` (count ≥ 1); e.g. two working days after Friday is Tuesday. */
export function addWorkingDays(isoDate: string, count: number): string {
  let day = isoDate;
  for (let i = 0; i < count; i++) day = nextWorkingDay(day);
  return day;
}

/** `count` working days before `isoDate`: a deadline's reminder "three working days before". */
export function subtractWorkingDays(isoDate: string, count: number): string {
  let day = DateTime.fromISO(isoDate, { zone: 'UTC' });
  for (let left = count; left > 0; ) {
    day = day.minus({ days: 1 });
    if (isWorkingDay(day.toISODate()!)) left--;
  }
  return day.toISODate()!;
}
