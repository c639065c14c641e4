import { DateTime } from 'luxon';
import type { ParsedMail } from './parse-mail.js';
import { fold } from './reply-text.js';

/**
 * RFC 3834: a mail sent by a machine on someone's behalf (an out-of-office, a list's bounce
 * digest) is never answered and never taken as the person's answer. Headers first (RFC 3834
 * Auto-Submitted, Microsoft's X-Autoreply / X-Autorespond, Precedence), then the subjects
 * clients use when they set no header.
 */
export function isAutoReply(mail: ParsedMail): boolean {
  const submitted = mail.header('auto-submitted')?.trim().toLowerCase();
  if (submitted && !submitted.startsWith('no')) return true;
  if (mail.header('x-autoreply') !== undefined || mail.header('x-autorespond') !== undefined) return true;
  if (/^(auto_reply|bulk|junk|list)$/.test(mail.header('precedence')?.trim().toLowerCase() ?? '')) return true;
  return AUTO_SUBJECTS.test(fold(mail.subject));
}

const AUTO_SUBJECTS = /^(automatyczna odpowiedz|automatic reply|auto(matic)?[ -]?reply|autoreply|out of (the )?office|poza biurem|nieobecnosc|jestem poza biurem|urlop)\b/;

const MONTHS: Record<string, number> = {
  stycznia: 1, lutego: 2, marca: 3, kwietnia: 4, maja: 5, czerwca: 6, lipca: 7, sierpnia: 8, wrzesnia: 9, pazdziernika: 10, listopada: 11, grudnia: 12,
  styczen: 1, luty: 2, marzec: 3, kwiecien: 4, maj: 5, czerwiec: 6, lipiec: 7, sierpien: 8, wrzesien: 9, pazdziernik: 10, listopad: 11, grudzien: 12,
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
};
const MONTH = `(${Object.keys(MONTHS).join('|')})`;

/**
 * The period an out-of-office reply names, as local dates (both included), or undefined when it
 * names none clearly. "od 1 do 14 lipca", "od 1 lipca do 14 sierpnia", "1-14.07.2027",
 * "01.07.2027 - 14.07.2027", "until 14 July", "do 14.07". A date without a year is the next one
 * on or after `today`; a period that has ended, or is longer than a year, is none.
 */
export function absencePeriod(text: string, today: string): { from: string; to: string } | undefined {
  const t = fold(text).replace(/\s+/g, ' ');
  const now = DateTime.fromISO(today);
  const ymd = (day: number, month: number, year: number | undefined, after: DateTime) => {
    let d = DateTime.fromObject({ year: year ?? after.year, month, day });
    if (!d.isValid) return undefined;
    if (year === undefined && d < after.startOf('day')) d = d.plus({ years: 1 });
    return d;
  };
  const year = (y?: string) => (y ? (y.length === 2 ? 2000 + Number(y) : Number(y)) : undefined);
  let from: DateTime | undefined;
  let to: DateTime | undefined;
  let m: RegExpExecArray | null;
  if ((m = /(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\s*(?:-|–|do|to|until)\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?/.exec(t))) {
    from = ymd(+m[1]!, +m[2]!, year(m[3] ?? m[6]), now);
    to = from && ymd(+m[4]!, +m[5]!, year(m[6]), from);
  } else if ((m = /(\d{1,2})\s*(?:-|–|do|to)\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?/.exec(t))) {
    to = ymd(+m[2]!, +m[3]!, year(m[4]), now);
    from = to && ymd(+m[1]!, +m[3]!, to.year, now);
  } else if ((m = new RegExp(`(?:od|from)\\s+(\\d{1,2})(?:\\s+${MONTH})?\\s*(?:do|to|until|-|–)\\s*(\\d{1,2})\\s+${MONTH}(?:\\s+(\\d{4}))?`).exec(t))) {
    to = ymd(+m[3]!, MONTHS[m[4]!]!, year(m[5]), now);
    from = to && ymd(+m[1]!, MONTHS[m[2] ?? m[4]!]!, to.year, now);
    if (from && to && from > to) from = from.minus({ years: 1 });
  } else if ((m = new RegExp(`(?:until|till|do dnia|do)\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:\\s+(\\d{4}))?`).exec(t))) {
    from = now;
    to = ymd(+m[1]!, MONTHS[m[2]!]!, year(m[3]), now);
  } else if ((m = new RegExp(`(?:until|till)\\s+${MONTH}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?`).exec(t))) {
    from = now;
    to = ymd(+m[2]!, MONTHS[m[1]!]!, year(m[3]), now);
  } else if ((m = /(?:until|till|do dnia|do)\s+(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?/.exec(t))) {
    from = now;
    to = ymd(+m[1]!, +m[2]!, year(m[3]), now);
  }
  if (!from || !to || to < from || to < now.startOf('day') || to.diff(from, 'days').days > 366) return undefined;
  if (from < now) from = now;
  return { from: from.toISODate()!, to: to.toISODate()! };
}
