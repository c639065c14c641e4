import type { AddressInfo } from 'node:net';
import ICAL from 'ical.js';
import { SMTPServer } from 'smtp-server';
import type { ParsedMail } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import type { ChannelAdapter } from '../../../src/ports/channel.port.js';
import {
  aReminder, closedPort, EVENT_UID, expectReminder, FROM, itipCalendar, log, smtpError, startSilentServer, startSmtp, type FakeSmtp,
} from './support.js';

const TO = 'anna.nowak@example.org';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** `?ignoreTLS=true` is nodemailer's own URL option: the test server offers no STARTTLS. */
function adapterFor(port: number, query = 'ignoreTLS=true'): ChannelAdapter {
  const adapter = createEmailAdapter({ smtpUrl: `smtp://127.0.0.1:${port}?${query}`, outboxDir: '/nonexistent/outbox', from: FROM, log });
  cleanups.push(() => adapter.stop());
  return adapter;
}

async function smtp(refuse?: Parameters<typeof startSmtp>[0]): Promise<FakeSmtp> {
  const server = await startSmtp(refuse);
  cleanups.push(() => server.close());
  return server;
}

function calendarPart(mail: ParsedMail) {
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
  expect(part, 'a text/calendar part').toBeDefined();
  const type = part!.headers.get('content-type') as { value: string; params: Record<string, string> };
  const calendar = new ICAL.Component(ICAL.parse(part!.content.toString('utf8')) as unknown[]);
  return { mimeMethod: type.params.method, calendar };
}

describe('e-mail over SMTP', () => {
  it('should deliver a Polish subject, a plain-text and an escaped HTML part, and List-Unsubscribe', async () => {
    const server = await smtp();
    const adapter = adapterFor(server.port);
    await adapter.start();

    const result = await adapter.sender.send(TO, aReminder());

    expect(result).toMatchObject({ ok: true, providerId: expect.stringContaining('@') });
    expect(server.mails).toHaveLength(1);
    const mail = server.mails[0]!;
    expect(mail.to).toMatchObject({ text: TO });
    expect(mail.from?.text).toBe(FROM);
    expectReminder(mail, expect);
    expect(adapter.kind).toBe('email');
    expect(adapter.mounts).toEqual([]);
  });

  it.each(['REQUEST', 'CANCEL'] as const)('should attach a %s invitation whose MIME method equals its METHOD', async (method) => {
    const server = await smtp();
    const adapter = adapterFor(server.port);

    const result = await adapter.sender.send(TO, aReminder({ calendar: { method, content: itipCalendar(method) } }));

    expect(result.ok).toBe(true);
    const { mimeMethod, calendar } = calendarPart(server.mails[0]!);
    expect(mimeMethod).toBe(method);
    expect(calendar.getFirstPropertyValue('method')).toBe(method);
    const event = calendar.getFirstSubcomponent('vevent')!;
    expect(event.getFirstPropertyValue('uid')).toBe(EVENT_UID);
    expect(String(event.getFirstPropertyValue('organizer'))).toBe('mailto:kooperator@example.org');
    if (method === 'CANCEL') expect(event.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('should refuse, permanently and without sending, a calendar whose METHOD differs from the message', async () => {
    const server = await smtp();
    const adapter = adapterFor(server.port);

    const result = await adapter.sender.send(TO, aReminder({ calendar: { method: 'CANCEL', content: itipCalendar('REQUEST') } }));

    expect(result).toEqual({ ok: false, permanent: true, reason: expect.stringMatching(/METHOD is REQUEST.*CANCEL/) });
    expect(server.mails).toHaveLength(0);
  });

  it('should refuse an address that would reach more than one person', async () => {
    const server = await smtp();
    const result = await adapterFor(server.port).sender.send(`${TO}, eve@example.org`, aReminder());
    expect(result).toMatchObject({ ok: false, permanent: true });
    expect(server.mails).toHaveLength(0);
  });

  it.each(['rcpt', 'data'] as const)('should report 451 on %s as temporary and deliver exactly once on the next try', async (stage) => {
    const server = await smtp({ [stage]: (n: number) => (n === 1 ? smtpError(451, 'Greylisted, try again later') : undefined) });
    const adapter = adapterFor(server.port);

    const first = await adapter.sender.send(TO, aReminder());
    const second = await adapter.sender.send(TO, aReminder());

    expect(first).toEqual({ ok: false, permanent: false, reason: expect.stringContaining('451') });
    expect(first.ok === false && first.reason).toContain('Greylisted');
    expect(second.ok).toBe(true);
    expect(server.mails).toHaveLength(1);
  });

  it.each([
    [451, '4.7.1 Rate limit exceeded, try again later'],
    [452, '4.5.3 Too many messages this minute'],
    [421, '4.7.0 Too many connections, try again later'],
  ])('should report %s %s as a refusal for pace (the pace is lowered, the mail retried)', async (code, text) => {
    const server = await smtp({ rcpt: (n: number) => (n === 1 ? smtpError(code, text) : undefined) });
    const result = await adapterFor(server.port).sender.send(TO, aReminder());
    expect(result).toEqual({ ok: false, permanent: false, rateLimited: true, refusal: String(code), reason: expect.stringContaining(String(code)) });
  });

  it('should report 550 as permanent, with the server\'s words as the reason', async () => {
    const server = await smtp({ rcpt: () => smtpError(550, '5.1.1 Mailbox anna.nowak does not exist') });

    const result = await adapterFor(server.port).sender.send(TO, aReminder());

    expect(result).toEqual({ ok: false, permanent: true, reason: expect.stringContaining('550 5.1.1 Mailbox anna.nowak does not exist') });
    expect(server.mails).toHaveLength(0);
  });

  it.each([
    ['550 5.4.5 (a daily sending quota)', 550, '5.4.5 Daily user sending quota exceeded'],
    ['552 5.2.2 (a full mailbox)', 552, '5.2.2 Mailbox full'],
    ['550 5.3.1 (mail system full)', 550, '5.3.1 Mail system full'],
  ])('should report %s as temporary: RFC 3463 calls it a persistent transient failure', async (_name, code, text) => {
    const server = await smtp({ rcpt: () => smtpError(code, text) });
    const result = await adapterFor(server.port).sender.send(TO, aReminder());
    expect(result).toEqual({ ok: false, permanent: false, reason: expect.stringContaining(text) });
  });

  it('should report a refused login as temporary and as a settings problem, naming SMTP_URL', async () => {
    const server = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) => callback(new Error('Invalid username or password')),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as AddressInfo).port;
    const adapter = createEmailAdapter({ smtpUrl: `smtp://user:wrong@127.0.0.1:${port}?ignoreTLS=true`, outboxDir: '/nonexistent', from: FROM, log });
    cleanups.push(() => adapter.stop());
    const result = await adapter.sender.send(TO, aReminder());
    expect(result).toEqual({ ok: false, permanent: false, settings: true, reason: expect.stringContaining('SMTP_URL') });
  });

  it('should report a refused connection as temporary, without throwing', async () => {
    const adapter = adapterFor(await closedPort());
    await adapter.start();

    const result = await adapter.sender.send(TO, aReminder());

    expect(result).toEqual({ ok: false, permanent: false, reason: expect.stringMatching(/ECONNREFUSED|ESOCKET|ECONNECTION/) });
  });

  it('should give up on a server that never greets after greetingTimeout, as a temporary failure', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());

    const result = await adapterFor(silent.port, 'ignoreTLS=true&greetingTimeout=300').sender.send(TO, aReminder());

    expect(result).toMatchObject({ ok: false, permanent: false, reason: expect.stringMatching(/ETIMEDOUT|Greeting/i) });
  });
});
