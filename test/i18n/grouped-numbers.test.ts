import { describe, expect, it } from 'vitest';
import { num } from '../../src/i18n/icu.js';
import { activityAdminMessages, invitationMessages } from '../../src/i18n/invitation-messages.js';
import { schedulePageMessages } from '../../src/i18n/schedule-page-messages.js';
import { scheduleProblemMessages } from '../../src/i18n/schedule-problem-messages.js';

const NBSP = '\u00a0';

/**
 * Issue 14: some English texts grouped thousands ("5,001", through ICU's #) and others printed
 * raw numbers. Every number now goes through the same CLDR formats: English "5,001", Polish
 * "5001" but "10 000" (a no-break space; CLDR's minimum grouping digits for Polish is 2).
 */
describe('numbers in texts, as each language writes them', () => {
  it('should follow CLDR in the shared helper', () => {
    expect([999, 5001, 10000, 123456].map((n) => num('en', n))).toEqual(['999', '5,001', '10,000', '123,456']);
    expect([999, 5001, 10000, 123456].map((n) => num('pl', n))).toEqual(['999', '5001', `10${NBSP}000`, `123${NBSP}456`]);
  });

  it('should group in English wherever a text carries a number', () => {
    expect(invitationMessages.en.waiting('Warsztaty', 5001)).toContain('number 5,001 on');
    expect(activityAdminMessages.en.seatsBelowOffered(5001, 1200, 10)).toContain('(5,001 accepted, 1,200 offered');
    expect(activityAdminMessages.en.seatsDone('Warsztaty', 12000, 1500)).toContain('waiting list: 1,500.');
    expect(schedulePageMessages.en.pageOf(1, 1200)).toBe('Page 1 of 1,200');
    expect(scheduleProblemMessages.en.header(1200)).toBe('The schedule has 1,200 problems; nothing was changed:');
    expect(scheduleProblemMessages.en.tooLongText(5000)).toBe('may be at most 5,000 characters long');
    expect(scheduleProblemMessages.en.capacityBelowAccepted(1000, 'w', 1001)).toBe('1,000 is below the 1,001 people who already accepted "w"; set capacity to at least 1001');
    expect(scheduleProblemMessages.en.capacityBelowAccepted(0, 'w', 1)).toContain('the 1 person who');
  });

  it('should group in Polish from 10 000 on, with a no-break space', () => {
    expect(invitationMessages.pl.waiting('Warsztaty', 10000)).toContain(`na miejscu 10${NBSP}000.`);
    expect(activityAdminMessages.pl.seatsBelow(12000, 5001)).toContain(`do 5001: liczba osób, które już potwierdziły udział, to 12${NBSP}000.`);
    expect(scheduleProblemMessages.pl.header(12000)).toBe(`W harmonogramie jest 12${NBSP}000 problemów; niczego nie zmieniono:`);
    expect(schedulePageMessages.pl.pageOf(1, 10000)).toBe(`Strona 1 z 10${NBSP}000`);
  });
});
