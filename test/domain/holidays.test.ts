import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { addWorkingDays, isWorkingDay, polishHoliday, subtractWorkingDays } from '../../src/domain/holidays.js';

describe('Polish public holidays', () => {
  it('are the public holidays date-holidays knows for Poland, with its names, 1990–2200', () => {
    const reference = new Holidays('PL');
    for (let year = 1990; year <= 2200; year++) {
      const expected = reference
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => [holiday.date.slice(0, 10), holiday.name]);
      const actual = expected.map(([date]) => [date, polishHoliday(date!)]);
      expect(actual, String(year)).toEqual(expected);
      // And no other day of the year is one.
      let count = 0;
      for (let day = new Date(Date.UTC(year, 0, 1)); day.getUTCFullYear() === year; day.setUTCDate(day.getUTCDate() + 1))
        if (polishHoliday(day.toISOString().slice(0, 10)) !== undefined) count++;
      expect(count, String(year)).toBe(expected.length);
    }
  });

  it('count working days around them', () => {
    expect(polishHoliday('2026-04-05')).toBe('Niedziela Wielkanocna');
    expect(isWorkingDay('2026-04-06')).toBe(false); // Easter Monday
    expect(addWorkingDays('2026-04-03', 1)).toBe('2026-04-07'); // Friday → Tuesday after Easter Monday
    expect(subtractWorkingDays('2026-12-28', 1)).toBe('2026-12-23'); // Wigilia and both Christmas days skipped
  });
});
