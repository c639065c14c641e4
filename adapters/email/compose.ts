import type { SendMailOptions } from 'nodemailer';
import type { Message } from '../../src/ports/channel.port.js';
import { renderText } from '../console/render-text.js';
import { isWebUrl, PREFERENCES_LABEL, renderHtml } from './render-html.js';

export type Composed = { ok: true; mail: SendMailOptions } | { ok: false; reason: string };

// One plain address: a comma or angle bracket in an address would reach other people.
const ADDRESS = /^[^\s@,;<>"()[\]\\]+@[^\s@,;<>"()[\]\\]+\.[^\s@,;<>"()[\]\\]+$/;

// A signed reply address (src/inbound/reply-address.ts) on any valid MAIL_FROM: its local part
// (RFC 5322 atext and dots, letters of any script: o'neill, zażółć), `+` and the signed tag, then
// a domain of letters of any script, digits and hyphens (związek.pl). No space, quote, comma,
// angle bracket, colon, semicolon, backslash or control character can be in it: it stays one
// address in one header line.
const REPLY_ADDRESS = /^[\p{L}\p{M}\p{N}!#$%&'*/=?^_`{|}~.-]{1,64}\+d[0-9a-z]{1,12}p[0-9a-z]{1,12}\.[a-z2-7]{16}@[\p{L}\p{M}\p{N}-]{1,63}(?:\.[\p{L}\p{M}\p{N}-]{1,63}){0,8}$/u;

/** A Message as nodemailer mail options, or why it cannot be sent (a permanent failure). */
export function composeMail(to: string, message: Message): Composed {
  if (!ADDRESS.test(to)) return { ok: false, reason: `not a single e-mail address: ${JSON.stringify(to.slice(0, 80))}` };
  const mail: SendMailOptions = {
    to,
    // A line break in a header would end it; nodemailer encodes the Polish letters. A word too
    // long to fold (an ASCII word is written as it is) is cut: SMTP's lines end at 998 octets.
    subject: message.title.replace(/\s+/g, ' ').trim().replace(/\S{900,}/g, (word) => `${word.slice(0, 899)}…`),
    text: plainText(message),
    html: renderHtml(message),
    // The recipient's language, for screen readers and translation offers (RFC 3282).
    headers: { 'Content-Language': message.language === 'en' ? 'en' : 'pl' },
  };

  if (message.replyAddress !== undefined) {
    // MAIL_FROM's mailbox plus a tag of digits and base32 only (src/inbound/reply-address.ts); anything else is refused, never written into a header.
    if (!REPLY_ADDRESS.test(message.replyAddress)) return { ok: false, reason: 'the reply address is not one of ours: not sent' };
    mail.replyTo = message.replyAddress;
    // VERP: the SMTP envelope sender is the same signed address, so a bounce names this delivery and person.
    mail.envelope = { from: message.replyAddress, to };
  }

  if (message.autoReply) {
    // RFC 3834: an automatic answer to someone's mail; their responder (and Exchange's, told by
    // X-Auto-Response-Suppress) must not answer it, or two machines would write to each other.
    // Our other mails carry no Auto-Submitted on purpose: an out-of-office reply to a reminder is
    // how an absence is proposed (src/inbound/absence-proposal.ts), and a compliant responder
    // stays silent to any Auto-Submitted other than "no". Loops through those are stopped on our
    // side (no answer to an auto-reply; one confirmation of an unclear reply a day).
    mail.headers = { ...(mail.headers as Record<string, string>), 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
  }

  if (message.unsubscribeUrl && isWebUrl(message.unsubscribeUrl)) {
    mail.list = { unsubscribe: message.unsubscribeUrl };
    // RFC 8058: a POST of "List-Unsubscribe=One-Click" to that URL unsubscribes, with no page in between.
    mail.headers = { ...(mail.headers as Record<string, string>), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  } else if (message.preferencesUrl && isWebUrl(message.preferencesUrl)) {
    // RFC 2369 only: the preferences page is a page to open, it does not unsubscribe on a POST.
    mail.list = { unsubscribe: message.preferencesUrl };
  }

  if (message.calendar) {
    const { method, content } = message.calendar;
    const inCalendar = calendarMethod(content);
    // Outlook rejects an invitation whose MIME method differs from the calendar's METHOD.
    if (inCalendar !== method) {
      return { ok: false, reason: `calendar METHOD is ${inCalendar ?? 'missing'} but the message says ${method}: not sent` };
    }
    mail.icalEvent = { method, content, filename: method === 'CANCEL' ? 'cancellation.ics' : 'invitation.ics' };
  }
  return { ok: true, mail };
}

/** The plain-text part: the terminal rendering without chat buttons, plus the preferences link. */
function plainText(message: Message): string {
  const withoutActions: Message = {
    ...message,
    actions: undefined,
    items: message.items?.map((item) => ({ ...item, actions: undefined })),
  };
  const text = renderText(withoutActions);
  if (!message.preferencesUrl || !isWebUrl(message.preferencesUrl)) return text;
  const lang = message.language === 'en' ? 'en' : 'pl';
  return `${text}\n\n-- \n${PREFERENCES_LABEL[lang]}: ${message.preferencesUrl}\n`;
}

/** The VCALENDAR's METHOD (RFC 5545 lines unfolded), undefined when absent or given twice. */
export function calendarMethod(content: string): string | undefined {
  const unfolded = content.replace(/\r?\n[ \t]/g, '');
  const methods = [...unfolded.matchAll(/^METHOD(?:;[^:\r\n]*)?:([^\r\n]*)$/gim)].map((m) => m[1]!.trim().toUpperCase());
  return methods.length === 1 ? methods[0] : undefined;
}
