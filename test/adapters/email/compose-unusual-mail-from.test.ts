import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../adapters/email/compose.js';
import { fittingReplyAddress, replyAddress, replyAddressesFit } from '../../../src/inbound/reply-address.js';

/** Found by review r-mailin (issue 16): the reply address must not stop e-mail for a valid MAIL_FROM. */
describe('reply address on an unusual but valid MAIL_FROM', () => {
  it.each([
    ['an internationalised domain', '"PZK" <kooperator@związek.pl>'],
    ['an apostrophe in the local part', "\"RCPS\" <o'neill.rcps@example.org>"],
    // The default of a service started with no settings (the quick start): a domain without a dot.
    ['a domain without a dot (the default kooperator@localhost)', 'Kooperator <kooperator@localhost>'],
  ])('should still send e-mail when MAIL_FROM has %s', (_what, mailFrom) => {
    const reply = replyAddress('s'.repeat(40), mailFrom, { deliveryId: 12, personId: 3 });
    // Before issue 16 these MAIL_FROMs sent mail; now every e-mail fails for good ("not one of ours").
    expect(composeMail('anna.nowak@example.org', { language: 'pl', title: 'T', text: 'x', replyAddress: reply }).ok).toBe(true);
  });
});

describe('reply address on a MAIL_FROM with a long local part', () => {
  const long = `"RCPS" <${'rcps.kooperator.powiadomienia.'.repeat(2)}x@example.org>`;

  it('should give no signed address when its local part would pass 64 characters, and say so at start', () => {
    expect(replyAddressesFit(long)).toBe(false);
    expect(fittingReplyAddress('s'.repeat(40), long, { deliveryId: 12, personId: 3 })).toBeUndefined();
  });

  it('should give the signed address on an ordinary MAIL_FROM', () => {
    const mailFrom = '"Kooperator RCPS" <kooperator@example.org>';
    expect(replyAddressesFit(mailFrom)).toBe(true);
    expect(fittingReplyAddress('s'.repeat(40), mailFrom, { deliveryId: 12, personId: 3 })).toBe(replyAddress('s'.repeat(40), mailFrom, { deliveryId: 12, personId: 3 }));
  });
});
