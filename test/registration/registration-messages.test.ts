import { describe, expect, it } from 'vitest';
import { registrationMessages } from '../../src/i18n/registration-messages.js';

const pl = registrationMessages.pl;

describe('registration texts in Polish agree with their numbers', () => {
  it.each([
    [1, 'bez odpowiedzi: 1 osoba', '1 odpowiedź nieaktualna (zmieniono możliwości odpowiedzi)', 'odpowiedzi 1 osoby, która przyjęła zaproszenie'],
    [2, 'bez odpowiedzi: 2 osoby', '2 odpowiedzi nieaktualne (zmieniono możliwości odpowiedzi)', 'odpowiedzi 2 osób, które przyjęły zaproszenie'],
    [5, 'bez odpowiedzi: 5 osób', '5 odpowiedzi nieaktualnych (zmieniono możliwości odpowiedzi)', 'odpowiedzi 5 osób, które przyjęły zaproszenie'],
    [12, 'bez odpowiedzi: 12 osób', '12 odpowiedzi nieaktualnych (zmieniono możliwości odpowiedzi)', 'odpowiedzi 12 osób, które przyjęły zaproszenie'],
    [22, 'bez odpowiedzi: 22 osoby', '22 odpowiedzi nieaktualne (zmieniono możliwości odpowiedzi)', 'odpowiedzi 22 osób, które przyjęły zaproszenie'],
  ])('%i', (n, none, invalid, totals) => {
    expect(pl.noAnswer(n)).toBe(none);
    expect(pl.invalid(n)).toBe(invalid);
    expect(pl.totalsFor(n)).toBe(totals);
  });

  it('addresses the person as Pani/Pan and declines the deadline after "do"', () => {
    expect(pl.saved('Warsztaty', 'środa, 24 lutego 2027, 23:59')).toBe(
      'Dziękujemy, zapisaliśmy Pani/Pana odpowiedzi dla „Warsztaty”. Można je zmienić do środy, 24 lutego 2027, 23:59: wystarczy jeszcze raz wybrać „Wezmę udział”.',
    );
    expect(pl.tooLong('Dieta', 500)).toContain('może mieć najwyżej 500 znaków');
    expect(pl.tooLong('Dieta', 2)).toContain('może mieć najwyżej 2 znaki');
  });
});
