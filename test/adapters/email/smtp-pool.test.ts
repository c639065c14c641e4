import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { SmtpPool } from '../../../adapters/email/smtp-pool.js';
import { aReminder, FROM, log } from './support.js';

/**
 * The pooled SMTP connections (adapters/email/smtp-pool.ts) against a real SMTP server on
 * 127.0.0.1: what a relay does to connections (drops idle ones, refuses a recipient, closes
 * after a 421) never ends the process, never loses the next mail, and no session is reused
 * after it failed.
 */
interface Relay {
  url(query?: string): string;
  /** Each accepted mail's recipients and the id of the connection it came over. */
  accepted: { to: string; connection: string }[];
  connections: Set<string>;
  /** Sessions open now. */
  open(): number;
  dropAll(): void;
  stop(): Promise<void>;
}

async function relay(options: { refuse?: (to: string) => number | undefined; maxClients?: number } = {}): Promise<Relay> {
  const accepted: Relay['accepted'] = [];
  const connections = new Set<string>();
  const sockets = new Set<{ destroy(): void }>();
  let open = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    ...(options.maxClients ? { maxClients: options.maxClients } : {}),
    onConnect(session: SMTPServerSession, callback) {
      connections.add(session.id);
      open++;
      callback();
    },
    onClose() {
      open--;
    },
    onRcptTo(address, _session, callback) {
      const code = options.refuse?.(address.address);
      if (code) return callback(Object.assign(new Error(`${code} refused ${address.address}`), { responseCode: code }));
      callback();
    },
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) accepted.push({ to: r.address, connection: session.id });
        callback();
      });
    },
  });
  server.server.on('connection', (socket: { destroy(): void; once(e: string, f: () => void): void }) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: (query = '') => `smtp://127.0.0.1:${port}?ignoreTLS=true${query}`,
    accepted,
    connections,
    open: () => open,
    dropAll: () => sockets.forEach((s) => s.destroy()),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function emailTo(url: string) {
  const adapter = createEmailAdapter({ smtpUrl: url, outboxDir: '/nonexistent', from: FROM, log });
  await adapter.start();
  cleanup.push(() => adapter.stop());
  return (to: string) => adapter.sender!.send(to, aReminder());
}

describe('pooled SMTP connections', () => {
  it('keeps connections open between mails, and sends more at once than it has connections by waiting', async () => {
    const server = await relay();
    cleanup.push(() => server.stop());
    const send = await emailTo(server.url('&maxConnections=2'));
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => send(`p${i}@example.org`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.accepted.map((a) => a.to).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `p${i}@example.org`).sort());
    expect(server.connections.size).toBeLessThanOrEqual(2);
  });

  it('opens a fresh connection after maxMessages', async () => {
    const server = await relay();
    cleanup.push(() => server.stop());
    const send = await emailTo(server.url('&maxConnections=1&maxMessages=2'));
    for (let i = 0; i < 5; i++) expect((await send(`p${i}@example.org`)).ok).toBe(true);
    const perConnection = new Map<string, number>();
    for (const a of server.accepted) perConnection.set(a.connection, (perConnection.get(a.connection) ?? 0) + 1);
    expect([...perConnection.values()]).toEqual([2, 2, 1]);
  });

  it('a connection the server dropped while idle is not an uncaught error, and the next mail goes over a new one', async () => {
    const server = await relay();
    cleanup.push(() => server.stop());
    const send = await emailTo(server.url('&maxConnections=1'));
    expect((await send('a@example.org')).ok).toBe(true);
    server.dropAll();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await send('b@example.org');
    expect(next).toMatchObject({ ok: true });
    expect(server.connections.size).toBe(2);
  });

  it('after a refused recipient the session is not reused: the next mail goes on a fresh connection', async () => {
    const server = await relay({ refuse: (to) => (to.startsWith('gone') ? 550 : undefined) });
    cleanup.push(() => server.stop());
    const send = await emailTo(server.url('&maxConnections=1'));
    expect(await send('gone@example.org')).toMatchObject({ ok: false, permanent: true });
    expect(await send('here@example.org')).toMatchObject({ ok: true });
    expect(server.accepted).toEqual([{ to: 'here@example.org', connection: expect.any(String) }]);
    expect(server.connections.size).toBe(2);
  });

  it('a 421 at RCPT is temporary and for pace; the next mail opens a new connection and goes', async () => {
    let refuseOnce = true;
    const server = await relay({ refuse: () => (refuseOnce ? ((refuseOnce = false), 421) : undefined) });
    cleanup.push(() => server.stop());
    const send = await emailTo(server.url('&maxConnections=1'));
    expect(await send('a@example.org')).toMatchObject({ ok: false, permanent: false, rateLimited: true });
    expect(await send('b@example.org')).toMatchObject({ ok: true });
  });

  it('sends waiting for a connection when the pool closes fail as temporary, and none is left open', async () => {
    const server = await relay();
    cleanup.push(() => server.stop());
    const pool = new SmtpPool(server.url('&maxConnections=1'), { maxConnections: 3, maxMessages: 100, connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000 });
    const raw = Buffer.from('From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\nx\r\n');
    const first = pool.send({ from: 'a@example.org', to: ['b@example.org'] }, raw);
    const second = pool.send({ from: 'a@example.org', to: ['c@example.org'] }, raw);
    // Closed while the first mail holds the only connection: the second was waiting for it.
    pool.close();
    await expect(second).rejects.toMatchObject({ code: 'ECONNECTION' });
    await first;
    await expect(pool.send({ from: 'a@example.org', to: ['d@example.org'] }, raw)).rejects.toMatchObject({ code: 'ECONNECTION' });
    expect(server.accepted.map((a) => a.to)).toEqual(['b@example.org']);
    for (let i = 0; i < 50 && server.open() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.open()).toBe(0);
  });
});
