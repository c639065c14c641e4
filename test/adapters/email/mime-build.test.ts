import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMail } from '../../../adapters/email/compose.js';
import { buildDirectly, buildMail, buildWithComposer } from '../../../adapters/email/mime.js';
import type { Message } from '../../../src/ports/channel.port.js';

/**
 * The mail built at once (adapters/email/mime.ts) says what nodemailer's own stream build says:
 * the same headers, text, HTML, calendar and attachment as a mail reader parses them, for any
 * text our messages may hold (Polish letters, lines of one dot, long lines, CR, emoji).
 */
const FROM = '"Kooperator RCPS – Łódź" <kooperator@example.org>';
const streamBuilder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }, { from: FROM });

interface Both {
  fast: ParsedMail;
  stream: ParsedMail;
  /** Ours, as buildMail sends it. */
  raw: Buffer;
  streamRaw: Buffer;
  /** Written directly (mime-direct.ts), not by the composer. */
  direct: boolean;
}

/**
 * One mail built both ways of buildMail (directly when it can, else by the composer) with the
 * same UUID, and by nodemailer's stream build with the same Message-ID, Date and boundary.
 * A mail written directly must be byte for byte the composer's.
 */
async function both(message: Message, from = FROM, to = 'jan.kowalski@example.org'): Promise<Both> {
  const composed = composeMail(to, message);
  if (!composed.ok) throw new Error(composed.reason);
  const unique = randomUUID();
  const mail = { from, ...composed.mail, date: new Date(0) };
  const direct = buildDirectly(mail, unique);
  const composer = buildWithComposer(mail, unique);
  if (direct) {
    expect(direct.raw.toString('latin1')).toBe(composer.raw.toString('latin1'));
    expect(direct.envelope).toEqual(composer.envelope);
    expect(direct.messageId).toBe(composer.messageId);
  }
  const built = direct ?? composer;
  // baseBoundary: the composer's own option, passed through by sendMail, missing from its types.
  const viaStream = await streamBuilder.sendMail({ from, ...composed.mail, messageId: built.messageId, date: new Date(0), baseBoundary: unique.replace(/-/g, '') } as SendMailOptions);
  expect(built.envelope).toEqual(viaStream.envelope);
  const streamRaw = viaStream.message as Buffer;
  return { fast: await simpleParser(built.raw), stream: await simpleParser(streamRaw), raw: built.raw, streamRaw, direct: direct !== undefined };
}

const headerSection = (raw: Buffer) => raw.toString('latin1').split('\r\n\r\n')[0]!;

/**
 * Every line ends in CRLF and none is longer than SMTP allows; a header line is at most 78
 * characters unless it is one token nodemailer cannot fold (a long URL or id); and the header
 * section is, byte for byte, the stream build's (same Message-ID, Date and boundary).
 */
function expectWellFormed(raw: Buffer, streamRaw: Buffer): void {
  const text = raw.toString('latin1');
  expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  expect(text.endsWith('\r\n')).toBe(true);
  const lines = text.split('\r\n');
  expect(lines.filter((line) => line.length > 998)).toEqual([]);
  const ours = headerSection(raw).split('\r\n');
  expect(ours.filter((line) => line.length > 78 && /\s\S/.test(line.trimStart().replace(/^[\w-]+: /, '')))).toEqual([]);
  expect(headerSection(raw)).toBe(headerSection(streamRaw));
}

// Every header, decoded, the boundary included (the stream build is given ours).
const comparable = (mail: ParsedMail) => ({
  headers: [...mail.headers],
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
        const { fast, stream, raw, streamRaw, direct } = await both(message);
        // A calendar is the composer's; every other mail compose.ts makes is written directly.
        expect(direct).toBe(!calendar);
        expect(comparable(fast)).toEqual(comparable(stream));
        expectWellFormed(raw, streamRaw);
      }),
      { numRuns: 150 },
    );
  });

  it('a line of one dot in the text stays text (the SMTP client escapes it; the build leaves it whole)', async () => {
    const { fast } = await both({ language: 'pl', title: 'Kropka', text: 'przed\n.\npo' });
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

  // Subjects of any length with what an encoder may trip on: Polish letters, emoji, quotes,
  // encoded-word markers, long words; From names with commas, quotes and backslashes (MAIL_FROM);
  // long unsubscribe URLs (nodemailer cannot fold them, so shorter than a line may be).
  const subject = fc.stringMatching(/^[a-zA-Z0-9ąćęłńóśźżĄĆĘŁŃÓŚŹŻ .,:;!?()\-–„”"'=?_\\\u{1F600}\u{1F44D}]{1,300}$/u);
  const name = fc.stringMatching(/^[a-zA-Ząćęłńóśźż ,."'\\()–-]{0,60}$/u);
  const urlPath = fc.stringMatching(/^[a-zA-Z0-9._~\/-]{0,900}$/);
  it('writes directly, as the stream build does, any subject, From name and unsubscribe URL', async () => {
    await fc.assert(
      fc.asyncProperty(subject, name, fc.boolean(), urlPath, fc.boolean(), async (title, sender, quoted, path, autoReply) => {
        const quotedName = `"${sender.replace(/["\\]/g, '\\$&')}"`;
        const from = `${quoted || /[,"\\()]/.test(sender) ? quotedName : sender} <kooperator@example.org>`;
        const message: Message = {
          language: 'pl',
          title: title.replace(/\s+/g, ' ').trim() || 'T',
          text: 'Jutro spotkanie.',
          unsubscribeUrl: `https://kooperator.example.org/${path}`,
          replyAddress: 'kooperator+d1p2.abcdefghijklmnop@example.org',
          ...(autoReply ? { autoReply: true as const } : {}),
        };
        const { fast, stream, raw, streamRaw, direct } = await both(message, from);
        expect(direct).toBe(true);
        expect(comparable(fast)).toEqual(comparable(stream));
        expectWellFormed(raw, streamRaw);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves a calendar, or an address with letters beyond ASCII, to the composer, which still matches the stream build', async () => {
    const calendar = { method: 'REQUEST' as const, content: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Zespół\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' };
    const cases: Array<[Message, string?, string?]> = [
      [{ language: 'pl', title: 'Zaproszenie', text: 'x', calendar }],
      [{ language: 'pl', title: 'T', text: 'x' }, undefined, 'józef@example.org'],
      [{ language: 'pl', title: 'T', text: 'x' }, undefined, 'jan@żółw.example.org'],
      [{ language: 'pl', title: 'T', text: 'x', replyAddress: 'kooperator+d1p2.abcdefghijklmnop@związek.pl' }, '"Kooperator" <kooperator@związek.pl>'],
    ];
    for (const [message, from, to] of cases) {
      const { fast, stream, raw, streamRaw, direct } = await both(message, from, to);
      expect(direct).toBe(false);
      expect(comparable(fast)).toEqual(comparable(stream));
      expectWellFormed(raw, streamRaw);
    }
  });

  it('takes an address as nodemailer parses and normalises it, capitals, dots and A-labels included', () => {
    const label = fc.stringMatching(/^(xn--)?[a-zA-Z0-9][a-zA-Z0-9-]{0,10}$/);
    const address = fc.tuple(fc.stringMatching(/^[a-zA-Z0-9._+-]{1,20}$/), fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-zA-Z0-9]{1,6}$/)).map(([local, labels, top]) => `${local}@${[...labels, top].join('.')}`);
    let direct = 0;
    fc.assert(
      fc.property(address, address, fc.option(address), (to, replyTo, verp) => {
        const mail: SendMailOptions = { from: FROM, to, replyTo, subject: 'T', text: 'x', html: '<p>x</p>', date: new Date(0), ...(verp ? { envelope: { from: verp, to } } : {}) };
        const unique = randomUUID();
        const written = buildDirectly(mail, unique);
        expect(written).toBeDefined();
        direct += 1;
        const composer = buildWithComposer(mail, unique);
        expect(written!.raw.toString('latin1')).toBe(composer.raw.toString('latin1'));
        expect(written!.envelope).toEqual(composer.envelope);
      }),
      { numRuns: 500 },
    );
    expect(direct).toBe(500);
  });

  it('leaves any option or header it does not know to the composer', () => {
    const mail: SendMailOptions = { from: FROM, to: 'jan@example.org', subject: 'T', text: 'x', html: '<p>x</p>' };
    expect(buildDirectly(mail, randomUUID())).toBeDefined();
    for (const other of [{ cc: 'anna@example.org' }, { attachments: [] }, { headers: { 'X-Other': 'x' } }, { headers: [{ key: 'Content-Language', value: 'pl' }] }, { list: { help: 'https://k.example.org/h' } }, { text: '' }, { html: Buffer.from('<p>x</p>') }, { date: 'Thu, 01 Jan 1970 00:00:00 +0000' }, { envelope: { from: 'a@example.org', to: 'b@example.org', size: 10 } as SendMailOptions['envelope'] }]) {
      expect(buildDirectly({ ...mail, ...other }, randomUUID())).toBeUndefined();
    }
  });
});
