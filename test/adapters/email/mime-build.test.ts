import fc from 'fast-check';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../adapters/email/compose.js';
import { buildMail } from '../../../adapters/email/mime.js';
import type { Message } from '../../../src/ports/channel.port.js';

/**
 * The mail built at once (adapters/email/mime.ts) says what nodemailer's own stream build says:
 * the same headers, text, HTML, calendar and attachment as a mail reader parses them, for any
 * text our messages may hold (Polish letters, lines of one dot, long lines, CR, emoji).
 */
const FROM = '"Kooperator RCPS – Łódź" <kooperator@example.org>';
const streamBuilder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }, { from: FROM });

async function both(message: Message): Promise<[ParsedMail, ParsedMail, Buffer]> {
  const composed = composeMail('jan.kowalski@example.org', message);
  if (!composed.ok) throw new Error(composed.reason);
  const built = buildMail({ from: FROM, ...composed.mail });
  const viaStream = await streamBuilder.sendMail({ ...composed.mail, messageId: built.messageId, date: new Date(0) });
  const fast = buildMail({ from: FROM, ...composed.mail, messageId: built.messageId, date: new Date(0) });
  expect(fast.envelope).toEqual(viaStream.envelope);
  return [await simpleParser(fast.raw), await simpleParser(viaStream.message as Buffer), fast.raw];
}

const comparable = (mail: ParsedMail) => ({
  headers: [...mail.headers].filter(([key]) => key !== 'content-type').map(([key, value]) => [key, key === 'content-type' ? undefined : value]),
  contentType: (mail.headers.get('content-type') as { value: string } | undefined)?.value,
  text: mail.text,
  html: mail.html,
  attachments: mail.attachments.map((a) => ({ type: a.contentType, name: a.filename, content: a.content.toString('utf8'), method: (a.headers.get('content-type') as { params?: Record<string, string> } | undefined)?.params?.method })),
});

// A CR only before LF: nodemailer's stream build leaves a lone CR bare on the wire (RFC 5321
// forbids it), the build at once makes it a line break; compared apart below.
const text = fc.stringMatching(/^[a-zA-ZąćęłńóśźżĄĆĘŁŃÓŚŹŻ .,:;!?()\-–„”"'=*_\n\r.\u{1F600}]{0,400}$/u).map((s) => s.replace(/\r(?!\n)/g, ''));

describe('a mail built at once', () => {
  it('parses as the stream build does, for any text, with and without a calendar', async () => {
    await fc.assert(
      fc.asyncProperty(text, text, fc.boolean(), fc.boolean(), fc.constantFrom('pl' as const, 'en' as const), async (title, body, calendar, autoReply, language) => {
        const message: Message = {
          language,
          title: title.replace(/\s+/g, ' ').trim() || 'Przypomnienie',
          text: body,
          fields: [{ label: 'Gdzie', value: body.slice(0, 60) }],
          links: [{ label: 'Będę', url: 'https://kooperator.example.org/m/answer/abc.def' }],
          preferencesUrl: 'https://kooperator.example.org/me/p/xyz',
          unsubscribeUrl: 'https://kooperator.example.org/me/u/xyz',
          replyAddress: 'kooperator+d1p2.abcdefghijklmnop@example.org',
          ...(autoReply ? { autoReply: true as const } : {}),
          ...(calendar ? { calendar: { method: 'REQUEST' as const, content: `BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:${body.replace(/[\r\n]/g, ' ').slice(0, 200)}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n` } } : {}),
        };
        const [fast, stream, raw] = await both(message);
        expect(comparable(fast)).toEqual(comparable(stream));
        // Every line ends in CRLF and none is longer than SMTP allows.
        const lines = raw.toString('latin1').split('\r\n');
        expect(lines.every((line) => !line.includes('\n') && !line.includes('\r') && line.length <= 998)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a line of one dot in the text stays text (the SMTP client escapes it; the build leaves it whole)', async () => {
    const [fast] = await both({ language: 'pl', title: 'Kropka', text: 'przed\n.\npo' });
    expect(fast.text).toContain('przed\n.\npo');
  });

  it('a lone CR in a text becomes a line break, never a bare CR on the wire', async () => {
    const composed = composeMail('jan@example.org', { language: 'pl', title: 'T', text: 'jeden\rdwa', fields: [{ label: 'Gdzie', value: 'a\rb' }] } as Message);
    if (!composed.ok) throw new Error(composed.reason);
    const raw = buildMail({ from: FROM, ...composed.mail }).raw.toString('latin1');
    expect(raw).not.toMatch(/\r(?!\n)/);
    expect((await simpleParser(Buffer.from(raw, 'latin1'))).text).toContain('jeden\ndwa');
  });

  it('writes List-Unsubscribe as nodemailer does: no space, angle bracket or control character gets in', async () => {
    const composed = composeMail('jan@example.org', { language: 'pl', title: 'T', text: 'x', unsubscribeUrl: 'https://k.example.org/u/a b>\r\nBcc: x@evil.example' } as Message);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    const raw = buildMail({ from: FROM, ...composed.mail }).raw.toString('latin1');
    expect(raw).not.toMatch(/^Bcc:/im);
  });
});
