import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import nodemailer from 'nodemailer';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';
import { startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { until } from '../adapters/email-inbound/support.js';
import { dovecotOrSkip } from '../support/dovecot.js';
import { postfixBounce } from './dsn-samples.js';

const SECRET = 'i'.repeat(40);
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const { dovecot, skip } = await dovecotOrSkip();

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/**
 * The whole service with both inbound transports set: a mail it sends bounces, the bounce comes
 * back to the row's signed address through the SMTP listener and through the IMAP mailbox, the
 * deliveries end with the bounce as their reason, /metrics counts them, and the stop stays in budget.
 */
describe.skipIf(!!skip)('the service reading bounces over SMTP and IMAP', () => {
  let service: RunningService;
  let outgoing: FakeSmtp;
  let smtpPort: number;
  let imap: ImapFlow;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    outgoing = await startSmtp();
    smtpPort = await freePort();
    const config = loadConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'koop-inbound-service-')),
      PORT: '0',
      PUBLIC_URL: 'https://koop.example.org',
      APP_SECRET: SECRET,
      LOG_LEVEL: 'silent',
      MAIL_FROM,
      SMTP_URL: `smtp://127.0.0.1:${outgoing.port}?ignoreTLS=true`,
      IMAP_URL: dovecot!.url,
      INBOUND_SMTP_PORT: String(smtpPort),
    });
    service = await startService(config, createLogger('silent'), clock);
    imap = await dovecot!.client();
  }, 120_000);
  afterAll(async () => {
    await imap?.logout().catch(() => undefined);
    await service?.stop();
    await outgoing?.close();
    await dovecot?.close();
  });

  const sendTo = async (key: string, email: string) => {
    const person = await service.db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    await enqueue(service.db.db, [{ key, kind: 'notice', personId: person.id, channels: ['email'], payload: { language: 'pl', title: key, text: 'x' }, dueAt: clock.now() }]);
    // The demo's invitations go out first: e-mail pacing puts this one later, on the test's clock
    // (tens of seconds on a loaded machine: every invitation is rendered for its own person).
    await until(() => (clock.advance(500), service.delivery.loop.poke(), outgoing.mails.some((m) => m.subject === key)), 90_000, `the mail ${key}`);
    const index = outgoing.mails.findIndex((m) => m.subject === key);
    return { verp: outgoing.envelopes[index]!.mailFrom, row: await service.db.db.selectFrom('deliveries').select('id').where('dedupe_key', '=', key).executeTakeFirstOrThrow() };
  };
  const stateOf = async (id: number) => service.db.db.selectFrom('deliveries').select(['state', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();

  it('should record a bounce that comes back through the SMTP listener', async () => {
    const { verp, row } = await sendTo('przez-smtp', 'anna.nowak@example.org');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: '', to: [verp] }, raw: postfixBounce(verp, 'anna.nowak@example.org') });
    transport.close();
    expect(await stateOf(row.id)).toMatchObject({ state: 'failed', last_error: expect.stringMatching(/^email: the address bounced: 5\.1\.1/) });
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/kooperator_inbound_mail_total\{transport="smtp",result="recorded"\} 1/);
  }, 120_000);

  it('should record a bounce that lands in the IMAP mailbox', async () => {
    const { verp, row } = await sendTo('przez-imap', 'jan.kowalski@example.org');
    await imap.append('INBOX', postfixBounce(verp, 'jan.kowalski@example.org').replace('Return-Path: <>', `Return-Path: <>\r\nDelivered-To: ${verp}`));
    await until(async () => (await stateOf(row.id)).state === 'failed', 15_000, 'the bounce read from IMAP');
    // The reader counts a mail only after it has flagged it in the mailbox (one more IMAP round
    // trip after the row is written), so the count may trail the row by a moment.
    const recorded = /kooperator_inbound_mail_total\{transport="imap",result="recorded"\} 1/;
    let metrics = '';
    await until(async () => recorded.test((metrics = await (await fetch(`${service.url}/metrics`)).text())), 15_000, 'the IMAP mail counted');
    expect(metrics).toMatch(recorded);
    expect(metrics).toMatch(/kooperator_inbound_imap_connected 1/);
    expect(await (await fetch(`${service.url}/healthz`)).json()).toMatchObject({ channels: { imap: 'connected', inbound_smtp: 'listening' } });
  }, 120_000);

  it('should stop within its budget with both transports running', async () => {
    const started = performance.now();
    await service.stop();
    expect(performance.now() - started).toBeLessThan(5_000);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = createServer();
      socket.once('error', () => resolve(false));
      socket.listen(smtpPort, '127.0.0.1', () => socket.close(() => resolve(true)));
    });
    expect(refused, 'the SMTP port is free again').toBe(true);
  });
});
