import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { rsvpClosesAt } from '../../src/invitations/invitation-timing.js';

/** The RSVP deadline's end is worked out once per date and zone (src/invitations/invitation-timing.ts); asking again must give the same instant, in a Date of the caller's own. */
describe('the end of an RSVP deadline', () => {
  it('should be the end of the deadline\'s day in the activity\'s zone, the same when asked again, each answer a Date of its own', () => {
    const first = rsvpClosesAt({ rsvp_by: '2027-03-27', timezone: 'Europe/Warsaw' })!;
    expect(first.toISOString()).toBe('2027-03-27T22:59:59.999Z');
    first.setTime(0);
    expect(rsvpClosesAt({ rsvp_by: '2027-03-27', timezone: 'Europe/Warsaw' })!.toISOString()).toBe('2027-03-27T22:59:59.999Z');
    // The day after the clocks go forward: another offset, another key.
    expect(rsvpClosesAt({ rsvp_by: '2027-03-28', timezone: 'Europe/Warsaw' })!.toISOString()).toBe('2027-03-28T21:59:59.999Z');
    expect(rsvpClosesAt({ rsvp_by: '2027-03-27', timezone: 'America/New_York' })!.toISOString()).toBe('2027-03-28T03:59:59.999Z');
    expect(rsvpClosesAt({ rsvp_by: null, timezone: 'Europe/Warsaw' })).toBeUndefined();
  });

  it('should answer as luxon does for a thousand and more dates and zones (past the bound of what is kept)', () => {
    const zones = ['Europe/Warsaw', 'Europe/London', 'Asia/Tokyo'];
    for (let i = 0; i < 1_500; i++) {
      const date = DateTime.fromISO('2027-01-01').plus({ days: i % 500 }).toISODate()!;
      const zone = zones[i % 3]!;
      expect(rsvpClosesAt({ rsvp_by: date, timezone: zone })!.getTime()).toBe(DateTime.fromISO(date, { zone }).endOf('day').toMillis());
    }
  });
});
