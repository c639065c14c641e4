import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { isOwnMailbox, SmtpListener } from '../../../adapters/email-inbound/smtp-listener.js';
import { createLogger } from '../../../src/log.js';
import { aMail, RecordingSink } from './support.js';

const log = createLogger('silent');
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const REPLY = 'kooperator+d1p2.abcdefghijklmnop@example.org';

describe('receiving SMTP listener', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });

  async function listen(sink: RecordingSink, maxBytes?: number) {
    const listener = new SmtpListener({ port: 0, host: '127.0.0.1', mailFrom: MAIL_FROM, sink, log, ...(maxBytes ? { maxBytes } : {}) });
    const port = await listener.start();
    cleanups.push(() => listener.stop());
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'mx.example.net' });
    cleanups.push(async () => transport.close());
    return transport;
  }

  it('should accept mail to its own plus-addresses and hand it over with its envelope', async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink);
    const info = await transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: aMail('smtp-1', REPLY) });
    expect(info.response).toMatch(/^250/);
    expect(sink.ids()).toEqual(['<smtp-1@example.org>']);
    expect(sink.received[0]!.envelope).toMatchObject({ transport: 'smtp', mailFrom: 'anna.nowak@example.org', rcptTo: [REPLY], remoteAddress: '127.0.0.1', helo: 'mx.example.net' });
    expect(sink.received[0]!.raw.toString()).toContain('Będę, dziękuję.');
  });

  it('should take a bounce with the null sender', async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink);
    await transport.sendMail({ envelope: { from: '', to: [REPLY] }, raw: aMail('bounce', REPLY) });
    expect(sink.received[0]!.envelope.mailFrom).toBe('');
  });

  it('should refuse another recipient with 550', async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink);
    await expect(transport.sendMail({ envelope: { from: 'x@example.net', to: ['someone@example.org'] }, raw: aMail('other') })).rejects.toMatchObject({ responseCode: 550 });
    await expect(transport.sendMail({ envelope: { from: 'x@example.net', to: ['kooperator@example.net'] }, raw: aMail('other') })).rejects.toMatchObject({ responseCode: 550 });
    expect(sink.received).toHaveLength(0);
  });

  it('should refuse a mail over the limit with 552, keeping nothing', async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink, 64 * 1024);
    const big = aMail('big', REPLY, 'x'.repeat(200 * 1024));
    await expect(transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: big })).rejects.toMatchObject({ responseCode: 552 });
    expect(sink.received).toHaveLength(0);
  });

  it('should answer 451 when the sink throws, and 250 for the same mail once it works', async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink);
    sink.next = () => {
      throw new Error('the database is away');
    };
    const send = () => transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: aMail('retry', REPLY) });
    await expect(send()).rejects.toMatchObject({ responseCode: 451 });
    expect((await send()).response).toMatch(/^250/);
    expect(sink.ids()).toEqual(['<retry@example.org>', '<retry@example.org>']);
  });

  it("should answer 250 only after receive resolved", async () => {
    const sink = new RecordingSink();
    const transport = await listen(sink);
    let release!: () => void;
    let answered = false;
    sink.next = () => new Promise<void>((resolve) => (release = resolve));
    const sending = transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: aMail('slow', REPLY) }).then(() => (answered = true));
    while (!release) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(answered).toBe(false);
    release();
    await sending;
    expect(answered).toBe(true);
  });

  it('should know its own mailbox in any case, and nothing else', () => {
    expect(isOwnMailbox(MAIL_FROM, 'Kooperator@Example.org')).toBe(true);
    expect(isOwnMailbox(MAIL_FROM, REPLY.toUpperCase())).toBe(true);
    expect(isOwnMailbox(MAIL_FROM, 'kooperatorx@example.org')).toBe(false);
    expect(isOwnMailbox(MAIL_FROM, 'kooperator@example.org.evil.net')).toBe(false);
    expect(isOwnMailbox(MAIL_FROM, 'kooperator')).toBe(false);
  });
});
