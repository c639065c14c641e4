import { describe, expect, it } from 'vitest';
import { composeMail } from '../../adapters/email/compose.js';
import { replyAddress } from '../../src/inbound/reply-address.js';

/** Hostile review of issue 16 (r-mailin): the reply address must not stop e-mail for a valid MAIL_FROM. */
describe('reply address on an unusual but valid MAIL_FROM', () => {
  it.each([
    ['an internationalised domain', '"PZK" <kooperator@związek.pl>'],
    ['an apostrophe in the local part', "\"RCPS\" <o'neill.rcps@example.org>"],
  ])('should still send e-mail when MAIL_FROM has %s', (_what, mailFrom) => {
    const reply = replyAddress('s'.repeat(40), mailFrom, { deliveryId: 12, personId: 3 });
    // Before issue 16 these MAIL_FROMs sent mail; now every e-mail fails for good ("not one of ours").
    expect(composeMail('anna.nowak@example.org', { language: 'pl', title: 'T', text: 'x', replyAddress: reply }).ok).toBe(true);
  });
});
