import { describe, expect, it } from 'vitest';
import { deliveryReason } from '../../src/i18n/delivery-reasons.js';

/**
 * Review of issue 14 ("a raw platform error is shown only beside a translated reason"; no
 * internal names in Polish text). The dispatcher's own reasons written in
 * src/delivery/channel-send.ts, "the person has no slack link yet" and "channel teams is not
 * turned on", are not in delivery-reasons.ts's OWN table, so they fall to platformReason(): a
 * coordinator reads that Slack/Teams *refused* the message (it never got it), followed by our
 * internal English with the channel ids `slack`/`teams` as "technical details".
 */
describe('why a delivery failed, when the person never linked that chat', () => {
  it.each([
    ['slack: the person has no slack link yet', /Slack nie przyjął/],
    ['teams: the person has no teams link yet', /Teams nie przyjął/],
    ['teams: channel teams is not turned on', /Teams nie przyjął/],
  ])('%s', (stored, wrongClaim) => {
    const text = deliveryReason(stored, 'pl', 'failed');
    // Fails today: e.g. "Slack nie przyjął wiadomości. (szczegóły techniczne: the person has no slack link yet)"
    expect(text).not.toMatch(wrongClaim);
    expect(text).not.toMatch(/\b(slack|teams) link\b|\bchannel teams\b|not turned on|has no/);
  });

  it('should name Slack and Teams as people say them, in both languages', () => {
    expect(deliveryReason('slack: the person has no slack link yet', 'pl', 'failed')).toContain('konta w Slacku');
    expect(deliveryReason('teams: the person has no teams link yet', 'en', 'failed')).toContain('Microsoft Teams account');
    expect(deliveryReason('teams: channel teams is not turned on', 'pl', 'failed')).toContain('Wysyłanie przez Microsoft Teams nie jest włączone');
    expect(deliveryReason('email: no answer within 30 s', 'pl', 'failed')).not.toMatch(/no answer|szczegóły/);
  });
});
