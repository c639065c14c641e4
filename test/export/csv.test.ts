import { describe, expect, it } from 'vitest';
import { toCsv } from '../../src/export/csv.js';
import { addWorkingDays, subtractWorkingDays } from '../../src/domain/holidays.js';

describe('CSV for Polish Excel', () => {
  it('should start with a BOM, separate by semicolons, quote what needs it and defuse formulas', () => {
    const text = toCsv(['Imię', 'Uwagi', 'Liczba'], [
      ['Łukasz Żółć', 'ma; średnik i "cudzysłów"\nw dwóch liniach', 3],
      ['=HYPERLINK("x")', null, -1],
    ]);
    expect(text.startsWith('\uFEFFImię;Uwagi;Liczba\r\n')).toBe(true);
    const lines = text.slice(1).split('\r\n');
    expect(lines[1]).toBe('Łukasz Żółć;"ma; średnik i ""cudzysłów""\nw dwóch liniach";3');
    expect(lines[2]).toBe(`"'=HYPERLINK(""x"")";;-1`);
    expect(Buffer.from(text, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('working days', () => {
  it('should skip weekends and Polish public holidays both ways', () => {
    expect(addWorkingDays('2027-01-08', 2)).toBe('2027-01-12'); // Friday → Tuesday
    expect(addWorkingDays('2027-01-05', 1)).toBe('2027-01-07'); // 6 January, Epiphany, is skipped
    expect(addWorkingDays('2026-12-23', 1)).toBe('2026-12-28'); // 24–27 December: holidays and a weekend
    expect(subtractWorkingDays('2027-01-12', 3)).toBe('2027-01-07'); // Tue → Thu before, over a weekend
    expect(subtractWorkingDays('2027-01-08', 2)).toBe('2027-01-05'); // Friday, over Epiphany
  });
});
