import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { SmtpListener } from '../../../adapters/email-inbound/smtp-listener.js';
import { createLogger } from '../../../src/log.js';
import { aMail, RecordingSink, until } from './support.js';

/** Hostile cases (found by review r-mailin) of issue 16's receiving SMTP listener (r-mailin), over real sockets. */
const log = createLogger('silent');
const MAIL_FROM = '"Kooperator RCPS" <kooperator@example.org>';
const REPLY = 'kooperator+d1p2.abcdefghijklmnop@example.org';

/** A raw SMTP client: writes what it is told, collects every reply line. */
async function rawClient(port: number): Promise<{ socket: Socket; lines: string[]; write(text: string): void; waitFor(pattern: RegExp): Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    const parts = buffer.split('\r\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    lines,
    write: (text) => void socket.write(text),
    waitFor: (pattern) => until(() => lines.some((l) => pattern.test(l)), 5000, String(pattern)),
  };
}

describe('receiving SMTP listener, hostile clients', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  async function listen(sink: RecordingSink, maxBytes?: number): Promise<number> {
    const listener = new SmtpListener({ port: 0, host: '127.0.0.1', mailFrom: MAIL_FROM, sink, log, ...(maxBytes ? { maxBytes } : {}) });
    const port = await listener.start();
    cleanups.push(() => listener.stop());
    return port;
  }

  it('should hand nothing to the sink when the client disconnects in the middle of DATA (a half mail is no mail)', async () => {
    const sink = new RecordingSink();
    const port = await listen(sink);
    const c = await rawClient(port);
    await c.waitFor(/^220/);
    c.write('EHLO mx.example.net\r\n');
    await c.waitFor(/^250 /);
    c.write(`MAIL FROM:<>\r\nRCPT TO:<${REPLY}>\r\nDATA\r\n`);
    await c.waitFor(/^354/);
    c.write('From: a@example.net\r\nMessage-ID: <half@example.net>\r\nSubject: half\r\n\r\nthe first half of a mail');
    await new Promise((resolve) => setTimeout(resolve, 100));
    c.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sink.ids()).toEqual([]);
  });

  it('should accept a mail of exactly the size limit', async () => {
    const sink = new RecordingSink();
    const mail = Buffer.from(aMail('exact', REPLY, 'x'.repeat(2000)));
    const port = await listen(sink, mail.length);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    cleanups.push(async () => transport.close());
    const info = await transport.sendMail({ envelope: { from: 'anna.nowak@example.org', to: [REPLY] }, raw: mail });
    expect(info.response).toMatch(/^250/);
    expect(sink.ids()).toEqual(['<exact@example.org>']);
  });

  it('should answer pipelined commands and two pipelined mails, each handed over once', async () => {
    const sink = new RecordingSink();
    const port = await listen(sink);
    const c = await rawClient(port);
    await c.waitFor(/^220/);
    c.write('EHLO mx.example.net\r\n');
    await c.waitFor(/^250 /);
    const one = aMail('pipe-1', REPLY).replace(/\r\n$/, '');
    const two = aMail('pipe-2', REPLY).replace(/\r\n$/, '');
    c.write(`MAIL FROM:<>\r\nRCPT TO:<${REPLY}>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n`);
    await c.waitFor(/^354/);
    c.write(`${one}\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<${REPLY}>\r\nDATA\r\n`);
    await until(() => c.lines.filter((l) => /^354/.test(l)).length === 2, 5000, 'the second 354');
    c.write(`${two}\r\n.\r\nQUIT\r\n`);
    await c.waitFor(/^221/);
    expect(sink.ids()).toEqual(['<pipe-1@example.org>', '<pipe-2@example.org>']);
  });
});
