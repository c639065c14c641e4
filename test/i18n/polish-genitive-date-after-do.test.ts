import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { confirmationMessages } from '../../src/i18n/confirmation-messages.js';
import { formatDateTime } from '../../src/i18n/format.js';
import { invitationMessages, workshopViewMessages } from '../../src/i18n/invitation-messages.js';

/**
 * Review: the new confirmation message and the rewritten seat-offer message put a full date
 * after "do" ("until"), which governs the genitive, but formatDateTime gives the weekday in the
 * nominative: "link do wtorek, 9 lutego 2027", "zarezerwowane ... do wtorek, 9 lutego 2027, 23:59".
 * Correct Polish is "do wtorku, 9 lutego 2027, 23:59" (or "do 9 lutego 2027, 23:59").
 * These are exactly the strings renderConfirmation and renderInvitation (rsvp_offer) send.
 */
const NOMINATIVE_AFTER_DO = /\bdo (poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela)\b/;

describe('a date after "do" in the new Polish messages', () => {
  const until = formatDateTime(DateTime.fromISO('2027-02-09T23:59', { zone: 'Europe/Warsaw' }), 'pl');

  it('should be in the genitive in the confirmation of an erasure and of a new feed link', () => {
    for (const action of ['erase', 'feed'] as const) expect(confirmationMessages.pl.text(action, until)).not.toMatch(NOMINATIVE_AFTER_DO);
  });

  it('should be in the genitive in the answer deadline reminder and the seat held line', () => {
    expect(invitationMessages.pl.deadlineText('Warsztaty', until)).toContain('do wtorku, 9 lutego 2027');
    expect(workshopViewMessages.pl.offered(until)).toContain('do wtorku, 9 lutego 2027');
  });

  it('should be in the genitive in the seat offer', () => {
    expect(invitationMessages.pl.offerText('Warsztaty', until)).not.toMatch(NOMINATIVE_AFTER_DO);
  });
});
