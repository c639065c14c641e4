import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * Hostile review of f717548: the 15-minute sweep now looks for people to invite, updates and
 * deadline reminders only when migration 0037's version moved, and at activity reminders only for
 * answers written since its last complete run (DeliveryService.planInvitationsNow('changed')).
 * The commit changed no documentation, and two pages still say the sweep plans everything.
 */
const doc = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), 'utf8').replace(/\s+/g, ' ');

describe('the documentation of the 15-minute sweep', () => {
  it('should not say the sweep plans everything in full (docs/invitations.md)', () => {
    expect(doc('invitations.md').includes('the 15-minute sweep plans everything in full'), 'docs/invitations.md, "Offers": "the 15-minute sweep plans everything in full"').toBe(false);
  });

  it('should not say deadline reminders are planned at every sweep (docs/reminders-and-checkins.md)', () => {
    expect(doc('reminders-and-checkins.md').includes('Activity and RSVP-deadline reminders (src/invitations/plan-activity-reminders.ts), planned at every 15-minute sweep'), 'docs/reminders-and-checkins.md: RSVP-deadline reminders "planned at every 15-minute sweep"').toBe(false);
  });
});
