import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../adapters/email/compose.js';
import { buildMail } from '../../../adapters/email/mime.js';

/**
 * MAIL_FROM on a domain with Polish letters (compose.ts's REPLY_ADDRESS allows związek.pl).
 * Nodemailer names its Message-ID after the envelope sender as it normalises it: an ASCII
 * mailbox's domain as its A-label (xn--…). The mail built at once (mime.ts) took the domain as
 * written, so 8-bit bytes went into the Message-ID header of a mail whose envelope is ASCII
 * (sent without SMTPUTF8; RFC 5322 msg-id is ASCII).
 */
const FROM = '"Kooperator – Związek" <kooperator@związek.pl>';
const streamBuilder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
const domainOf = (messageId: string) => messageId.replace(/^<[^@]*@/, '').replace(/>$/, '');

describe('the Message-ID of a mail from a domain with Polish letters', () => {
  it('names the domain as nodemailer does, in ASCII', async () => {
    const mail = { from: FROM, to: 'jan@example.org', subject: 'T', text: 'x' };
    const built = buildMail(mail);
    const viaStream = await streamBuilder.sendMail(mail);
    expect(domainOf(built.messageId)).toBe(domainOf(viaStream.messageId));
    expect(built.raw.toString('latin1')).toMatch(/^Message-ID: <[\x21-\x7e]+>\r$/m);
  });

  it('also with the signed reply address as the envelope sender (VERP)', async () => {
    const composed = composeMail('jan@example.org', { language: 'pl', title: 'T', text: 'x', replyAddress: 'kooperator+d1p2.abcdefghijklmnop@związek.pl' });
    if (!composed.ok) throw new Error(composed.reason);
    const built = buildMail({ from: FROM, ...composed.mail });
    const viaStream = await streamBuilder.sendMail({ from: FROM, ...composed.mail });
    expect(domainOf(built.messageId)).toBe(domainOf(viaStream.messageId));
    expect(built.envelope).toEqual(viaStream.envelope);
    expect(built.raw.toString('latin1')).toMatch(/^Message-ID: <[\x21-\x7e]+>\r$/m);
  });
});
