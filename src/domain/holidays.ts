import { DateTime } from 'luxon';

const byYear = new Map<number, Map<string, string>>();

/**
 * Easter Sunday of a Gregorian year as [month, day] (the anonymous Gregorian algorithm, Meeus,
 * "Astronomical Algorithms", ch. 8).
 */
function easter(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  return [month, ((h + l - 7 * m + 114) % 31) + 1];
}

/**
 * Polish public holidays of a year, 'YYYY-MM-DD' → name (ustawa o dniach wolnych od pracy;
 * Trzech Króli from 2011, Wigilia from 2025), with the names date-holidays gives them.
 * Computed here rather than with date-holidays, which held every country's rules (8 MB of the
 * service's heap, moment-timezone and astronomia with them) for these thirteen days (issue 17);
 * test/domain/holidays.test.ts checks this against date-holidays year by year.
 */
function publicHolidays(year: number): Map<string, string> {
  let days = byYear.get(year);
  if (!days) {
    const iso = (month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const [month, day] = easter(year);
    const sunday = DateTime.utc(year, month, day);
    const afterEaster = (n: number) => sunday.plus({ days: n }).toISODate()!;
    const list: [string, string][] = [
      [iso(1, 1), 'Nowy Rok'],
      ...(year >= 2011 ? [[iso(1, 6), 'Święto Trzech Króli'] as [string, string]] : []),
      [afterEaster(0), 'Niedziela Wielkanocna'],
      [afterEaster(1), 'Drugi dzień Wielkanocy'],
      [iso(5, 1), 'Święto Państwowe; Święto Pracy'],
      [iso(5, 3), 'Święto Narodowe Trzeciego Maja'],
      [afterEaster(49), 'Zielone Świątki'],
      [afterEaster(60), 'Dzień Bożego Ciała'],
      [iso(8, 15), 'Wniebowzięcie Najświętszej Maryi Panny'],
      [iso(11, 1), 'Wszystkich Świętych'],
      [iso(11, 11), 'Narodowe Święto Niepodległości'],
      ...(year >= 2025 ? [[iso(12, 24), 'Wigilia Bożego Narodzenia'] as [string, string]] : []),
      [iso(12, 25), 'Pierwszy dzień Bożego Narodzenia'],
      [iso(12, 26), 'Drugi dzień Bożego Narodzenia'],
    ];
    days = new Map(list);
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
