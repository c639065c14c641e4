import { describe, expect, it } from 'vitest';
import { participationMessages } from '../../src/i18n/participation-messages.js';

const pl = participationMessages.pl;
const en = participationMessages.en;

describe('participation texts agree in number and case', () => {
  it('absences: spotkanie / spotkania / spotkań, nim / nich', () => {
    expect(pl.absenceAdded('2027-07-01', '2027-07-14', 0)).toBe('Zapisano nieobecność od 2027-07-01 do 2027-07-14. W tym czasie nie ma spotkań Pani/Pana zespołów.');
    expect(pl.absenceAdded('a', 'b', 1)).toContain('1 spotkanie w tym czasie oznaczono „nie będę”; przypomnień o nim nie wyślemy.');
    expect(pl.absenceAdded('a', 'b', 3)).toContain('3 spotkania w tym czasie oznaczono „nie będę”; przypomnień o nich nie wyślemy.');
    expect(pl.absenceAdded('a', 'b', 5)).toContain('5 spotkań w tym czasie');
    expect(pl.absenceAdded('a', 'b', 22)).toContain('22 spotkania w tym czasie');
    expect(pl.absenceRemoved('a', 'b', 1)).toContain('Cofnięto 1 odpowiedź „nie będę”, którą ta nieobecność dała.');
    expect(pl.absenceRemoved('a', 'b', 2)).toContain('Cofnięto 2 odpowiedzi „nie będę”, które ta nieobecność dała.');
    expect(pl.absenceRemoved('a', 'b', 0)).toBe('Usunięto nieobecność od a do b.');
    expect(en.absenceAdded('a', 'b', 1)).toContain('1 meeting then is answered');
    expect(en.absenceAdded('a', 'b', 2)).toContain('2 meetings then are answered');
  });

  it('the summary counts: osoba będzie / osoby będą / osób będzie', () => {
    expect(pl.summaryCounts(1, 1, 1)).toBe('1 osoba będzie, 1 nie będzie, 1 osoba nie odpowiedziała.');
    expect(pl.summaryCounts(3, 2, 4)).toBe('3 osoby będą, 2 nie będą, 4 osoby nie odpowiedziały.');
    expect(pl.summaryCounts(5, 12, 0)).toBe('5 osób będzie, 12 nie będzie, wszyscy odpowiedzieli.');
    expect(pl.summaryCounts(22, 0, 25)).toBe('22 osoby będą, 0 nie będzie, 25 osób nie odpowiedziało.');
    expect(en.summaryCounts(1, 0, 1)).toBe('1 person will come, 0 will not, 1 has not answered.');
  });

  it('a weekday after "w" is in the accusative, with "we" before wtorek', () => {
    expect(pl.recorded('attending', 'Łódź', 'wtorek, 12 stycznia 2027, 10:00')).toBe('Zapisano: będzie Pani/Pan na spotkaniu zespołu Łódź we wtorek, 12 stycznia 2027, 10:00.');
    expect(pl.recorded('not_attending', 'Łódź', 'środa, 14 kwietnia 2027, 12:00')).toContain('w środę, 14 kwietnia 2027, 12:00. Nie wyślemy już');
    expect(pl.refusals.reason_too_long(500)).toBe('Powód może mieć najwyżej 500 znaków.');
  });
});
