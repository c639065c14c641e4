import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { createLogger } from '../../../src/log.js';

const adapter = (smtpUrl?: string) =>
  createEmailAdapter({ ...(smtpUrl ? { smtpUrl } : {}), outboxDir: mkdtempSync(join(tmpdir(), 'koop-pool-')), from: 'k@example.org', log: createLogger('silent') });

/** The sender says how many sends it has under way at once (the dispatcher books a paced send only when one is free): its pool's connections. */
describe('the e-mail sender’s concurrency', () => {
  it('is the pool’s 3 connections, or maxConnections from SMTP_URL', async () => {
    const pooled = adapter('smtp://127.0.0.1:2525?ignoreTLS=true');
    const five = adapter('smtp://127.0.0.1:2525?ignoreTLS=true&maxConnections=5');
    const unreadable = adapter('smtp://127.0.0.1:2525?maxConnections=many');
    expect([pooled.sender.concurrency, five.sender.concurrency, unreadable.sender.concurrency]).toEqual([3, 5, 3]);
    for (const a of [pooled, five, unreadable]) await a.stop();
  });

  it('is unlimited when mail is written to files', async () => {
    const files = adapter();
    expect(files.sender.concurrency).toBeUndefined();
    await files.stop();
  });
});

/**
 * The concurrency the sender tells the dispatcher and the connections its pool opens are one
 * number: an unreadable maxConnections in SMTP_URL made the sender say 3 (the default) while the
 * pool, reading the same value its own way, opened 1, so sends booked three at a time queued
 * behind one connection and left late, together (issue 17's burst).
 */
describe('the e-mail sender’s concurrency and its pool', () => {
  it.each(['many', '0', '2.5'])('open as many connections at once, with maxConnections=%s in SMTP_URL', async (given) => {
    const { SMTPServer } = await import('smtp-server');
    let open = 0;
    let most = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onConnect: (_session, callback) => ((most = Math.max(most, ++open)), callback()),
      onClose: () => void open--,
      onData: (stream, _session, callback) => (stream.on('data', () => undefined), stream.on('end', () => setTimeout(callback, 200))),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    const email = adapter(`smtp://127.0.0.1:${port}?ignoreTLS=true&maxConnections=${given}`);
    const message = { language: 'pl' as const, title: 'T', text: 'x' };
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => email.sender.send(`p${i}@example.org`, message)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(most).toBe(email.sender.concurrency);
    await email.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
