import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { SmtpPool } from '../../../adapters/email/smtp-pool.js';
import { aReminder, FROM, log } from './support.js';

/**
 * Sends waiting for a pooled SMTP connection (adapters/email/smtp-pool.ts) when a connection
 * cannot be opened: a relay's 421 at connect (too many connections), as FakeSmtp and real
 * relays answer. The slot the failed connection held is free again, so a waiting send must
 * open one in its place (or fail); it used to wait until some later send happened to come by,
 * and with none, for ever. (In the service sendThrough cuts such a send off after 30 s, but the
 * waiter stays queued and would send that mail later, when its row is already being retried.)
 */
async function relay(refuseConnection: (n: number) => boolean, refuseRecipient: (to: string) => boolean = () => false, dataDelayMs = 0) {
  let connections = 0;
  const accepted: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onConnect(_session, callback) {
      if (refuseConnection(++connections)) return callback(Object.assign(new Error('4.7.0 Too many connections, try again later'), { responseCode: 421 }));
      callback();
    },
    onRcptTo(address, _session, callback) {
      if (refuseRecipient(address.address)) return callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => setTimeout(() => (accepted.push(...session.envelope.rcptTo.map((r) => r.address)), callback()), dataDelayMs));
    },
  });
  server.on('error', () => undefined);
  const sockets = new Set<{ destroy(): void }>();
  server.server.on('connection', (socket: { destroy(): void; once(e: string, f: () => void): void }) => (sockets.add(socket), socket.once('close', () => sockets.delete(socket))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return { url: `smtp://127.0.0.1:${port}?ignoreTLS=true&maxConnections=1`, accepted, dropAll: () => sockets.forEach((socket) => socket.destroy()), stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const options = { maxConnections: 3, maxMessages: 100, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000 };
const raw = Buffer.from('From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nx\r\n');
const to = (address: string) => ({ from: 'a@example.org', to: [address] });
/** The send's outcome, or 'still waiting' after 3 s. */
const settled = (send: Promise<unknown>) =>
  Promise.race([send.then(() => 'sent', (error: { responseCode?: number; code?: string }) => `failed ${error.responseCode ?? error.code}`), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000))]);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('sends waiting for a pooled SMTP connection', () => {
  it('a send waiting while the only connection fails to open goes on a fresh one', async () => {
    const server = await relay((n) => n === 1);
    cleanup.push(server.stop);
    const pool = new SmtpPool(server.url, options);
    cleanup.push(() => pool.close());
    const first = settled(pool.send(to('a@example.org'), raw));
    const second = settled(pool.send(to('b@example.org'), raw));
    expect(await first).toBe('failed 421');
    expect(await second).toBe('sent');
    expect(server.accepted).toEqual(['b@example.org']);
  });

  it('after a failed send, its waiting replacement refused at connect does not leave the next send waiting', async () => {
    const server = await relay((n) => n === 2, (address) => address.startsWith('gone'));
    cleanup.push(server.stop);
    const pool = new SmtpPool(server.url, options);
    cleanup.push(() => pool.close());
    const sends = ['gone@example.org', 'b@example.org', 'c@example.org'].map((address) => settled(pool.send(to(address), raw)));
    expect(await Promise.all(sends)).toEqual(['failed 550', 'failed 421', 'sent']);
    expect(server.accepted).toEqual(['c@example.org']);
  }, 10_000);

  it('a refused login is a settings failure naming SMTP_URL for the send waiting behind it too, and for every later one', async () => {
    const server = new SMTPServer({
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (_auth, _session, callback) => callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 })),
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as { port: number }).port;
    const adapter = createEmailAdapter({ smtpUrl: `smtp://bot:wrong@127.0.0.1:${port}?ignoreTLS=true&maxConnections=1`, outboxDir: '/nonexistent', from: FROM, log });
    cleanup.push(() => adapter.stop());
    const sends = ['a@example.org', 'b@example.org'].map((to) =>
      Promise.race([adapter.sender!.send(to, aReminder()), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3000))]),
    );
    const refused = { ok: false, permanent: false, settings: true, reason: expect.stringContaining('check SMTP_URL') };
    expect(await Promise.all(sends)).toEqual([refused, refused]);
    expect(await adapter.sender!.send('c@example.org', aReminder())).toEqual(refused);
  }, 10_000);

  it('requireTLS against a server without STARTTLS is a settings failure naming SMTP_URL, never sent in plain text', async () => {
    const server = await relay(() => false);
    cleanup.push(server.stop);
    const adapter = createEmailAdapter({ smtpUrl: server.url.replace('ignoreTLS=true', 'requireTLS=true'), outboxDir: '/nonexistent', from: FROM, log });
    cleanup.push(() => adapter.stop());
    expect(await adapter.sender!.send('a@example.org', aReminder())).toEqual({ ok: false, permanent: false, settings: true, reason: expect.stringContaining('TLS failed, check SMTP_URL') });
    expect(server.accepted).toEqual([]);
  });

  it('a send given up while it waits for a connection (its signal aborted: sendThrough cut it off, its row is retried) is not sent later', async () => {
    const server = await relay(() => false, () => false, 600);
    cleanup.push(server.stop);
    const adapter = createEmailAdapter({ smtpUrl: server.url, outboxDir: '/nonexistent', from: FROM, log });
    cleanup.push(() => adapter.stop());
    const first = adapter.sender!.send('a@example.org', aReminder());
    const controller = new AbortController();
    const second = adapter.sender!.send('b@example.org', aReminder(), { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('no answer within 30 s')), 100);
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: false, permanent: false });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(server.accepted).toEqual(['a@example.org']);
  }, 10_000);

  it('a send that comes just as the server drops the idle connection goes on a fresh one, not on the dropped one', async () => {
    const server = await relay(() => false);
    cleanup.push(server.stop);
    const pool = new SmtpPool(server.url, options);
    cleanup.push(() => pool.close());
    await pool.send(to('a@example.org'), raw);
    // The idle connection, seen from inside (white box): a send made as it ends, before the next
    // turn of the event loop, as another I/O callback of the same turn (a claim's rows) would.
    const idle = (pool as unknown as { idle: { connection: { once(event: string, listener: () => void): void } }[] }).idle;
    expect(idle).toHaveLength(1);
    const next = new Promise<unknown>((resolve) => idle[0]!.connection.once('end', () => resolve(settled(pool.send(to('b@example.org'), raw)))));
    server.dropAll();
    expect(await next).toBe('sent');
    expect(server.accepted).toEqual(['a@example.org', 'b@example.org']);
  });
});
