import { createServer, type AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { IcalGeneratorRenderer } from '../../../adapters/ical/ical-renderer.js';
import { createLogger } from '../../../src/log.js';
import type { Message } from '../../../src/ports/channel.port.js';

export const log = createLogger('silent');
export const FROM = '"Kooperator RCPS" <kooperator@example.org>';
export const EVENT_UID = 'activity-warsztaty-2027-1@kooperator.example.org';

/** A reminder with everything an e-mail has to escape and render. */
export function aReminder(overrides: Partial<Message> = {}): Message {
  return {
    language: 'pl',
    title: 'Najbliższe spotkania – przypomnienie',
    text: [
      'Zaproszenie na **spotkanie zespołu** w Łodzi, _proszę_ potwierdzić.',
      '<script>alert("x")</script> & "cudzysłowy" \'apostrofy\'',
      '- sala 12',
      '- [agenda](https://example.org/agenda?a=1&b=2)',
      '- [zły link](javascript:alert(1))',
    ].join('\n'),
    fields: [{ label: 'Miejsce', value: 'Sala 12, ul. Przykładowa 1 <b>' }],
    items: [
      {
        title: 'Spotkanie PZK Łódź',
        lines: ['wtorek 12 stycznia, 10:00–12:00'],
        links: [{ label: 'Dołącz online', url: 'https://example.org/meet/pzk-lodz' }],
        actions: [{ id: 'rsvp', value: 'accept', label: 'Przyjmij' }],
      },
    ],
    actions: [{ id: 'noop', value: 'x', label: 'Przycisk czatu' }],
    links: [{ label: 'Harmonogram', url: 'https://kooperator.example.org/' }],
    preferencesUrl: 'https://kooperator.example.org/preferences/abc',
    unsubscribeUrl: 'https://kooperator.example.org/unsubscribe/xyz',
    ...overrides,
  };
}

/** An iTIP calendar from the real renderer, with ORGANIZER/ATTENDEE added to the text as iTIP wants. */
export function itipCalendar(method: 'REQUEST' | 'CANCEL'): string {
  const zone = 'Europe/Warsaw';
  const text = new IcalGeneratorRenderer(zone).render({
    name: 'Kooperator',
    refreshInterval: 'PT1H',
    method,
    events: [
      {
        uid: EVENT_UID,
        sequence: method === 'CANCEL' ? 1 : 0,
        summary: 'Warsztaty kooperacyjne (wyjazdowe)',
        location: 'Ośrodek szkoleniowy, Spała',
        start: DateTime.fromISO('2027-03-10T09:00', { zone }),
        end: DateTime.fromISO('2027-03-11T16:00', { zone }),
        lastModified: new Date('2027-01-04T08:00:00Z'),
        ...(method === 'CANCEL' ? { status: 'CANCELLED' as const } : {}),
      },
    ],
  });
  return text.replace(
    /\r\nUID:/,
    '\r\nORGANIZER;CN=Kooperator:mailto:kooperator@example.org\r\nATTENDEE;CN=Anna Nowak;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:anna.nowak@example.org\r\nUID:',
  );
}

export interface FakeSmtp {
  port: number;
  mails: ParsedMail[];
  /** Each mail's SMTP envelope (MAIL FROM, RCPT TO), in the order of `mails`. */
  envelopes: { mailFrom: string; rcptTo: string[] }[];
  close(): Promise<void>;
}

type Refuse = (attempt: number) => Error | undefined;

/** A real SMTP server on 127.0.0.1; `rcpt` and `data` may refuse the n-th RCPT TO or DATA by returning an error. */
export async function startSmtp(refuse: { rcpt?: Refuse; data?: Refuse } = {}): Promise<FakeSmtp> {
  const mails: ParsedMail[] = [];
  const envelopes: FakeSmtp['envelopes'] = [];
  let rcpts = 0;
  let datas = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(refuse.rcpt?.(++rcpts) ?? null);
    },
    onData(stream, session, callback) {
      const refused = refuse.data?.(++datas);
      const envelope = { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', rcptTo: session.envelope.rcptTo.map((r) => r.address) };
      // Answer 250 only once the mail is parsed, so a resolved send means it is in `mails`.
      simpleParser(stream).then(
        (mail) => (refused ? callback(refused) : (mails.push(mail), envelopes.push(envelope), callback())),
        (error: Error) => callback(error),
      );
    },
  });
  // A sender killed mid-session (the crash tests' SIGKILL) resets its connection: the sink shrugs, as
  // a real relay would; without a listener the server's 'error' is an unhandled error of the test run.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, envelopes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The real e-mail adapter sending to the test SMTP server (no TLS on loopback; never the .eml outbox). */
export function emailAdapterFor(smtp: FakeSmtp, from = 'kooperator@example.org'): ReturnType<typeof createEmailAdapter> {
  return createEmailAdapter({ smtpUrl: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`, outboxDir: '/nonexistent', from, log });
}

export function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => (sockets.add(socket), socket.on('close', () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve())));
  return { port, close };
}

/** A port nobody listens on: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What every rendering of aReminder() must show, in whichever transport it went. */
export function expectReminder(mail: ParsedMail, expect: typeof import('vitest').expect): void {
  expect(mail.subject).toBe('Najbliższe spotkania – przypomnienie');
  expect(mail.text).toContain('spotkanie zespołu');
  expect(mail.text).toContain('agenda (https://example.org/agenda?a=1&b=2)');
  expect(mail.text).not.toContain('Przyjmij');
  expect(mail.text).toContain('https://kooperator.example.org/preferences/abc');
  const html = String(mail.html);
  expect(html).toContain('<html lang="pl">');
  expect(html).toContain('<strong>spotkanie zespołu</strong>');
  expect(html).toContain('<em>proszę</em>');
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;cudzysłowy&quot; &#39;apostrofy&#39;');
  expect(html).toContain('<li><a href="https://example.org/agenda?a=1&amp;b=2"');
  expect(html).not.toContain('href="javascript:');
  expect(html).toContain('Sala 12, ul. Przykładowa 1 &lt;b&gt;');
  expect(html).toContain('href="https://example.org/meet/pzk-lodz"');
  expect(html).not.toMatch(/Przyjmij|Przycisk czatu/);
  expect(html).toContain('href="https://kooperator.example.org/preferences/abc"');
  expect(html).not.toMatch(/<(img|link|script|style)\b/i);
  expect(rawHeader(mail, 'list-unsubscribe')).toBe('<https://kooperator.example.org/unsubscribe/xyz>');
  expect(rawHeader(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
}

/** A header as written on the wire (mailparser folds List-* headers into one structured value). */
export function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name)?.line;
  return line?.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}
