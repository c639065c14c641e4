import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ImapReader, imapSettings } from '../../../adapters/email-inbound/imap-reader.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { RecordingSink, until } from './support.js';

/** Hostile cases (found by review r-mailin) of issue 16's IMAP reader and IMAP_URL (r-mailin). */
const log = createLogger('silent');

describe('IMAP reader against a slow server', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('should stop within the shutdown budget (400 ms) while a slow server has not greeted yet', async () => {
    // A mail server that takes the connection and then says nothing (overloaded, or a black hole behind a firewall).
    server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const reader = new ImapReader({ url: `imap://kooperator:secret@127.0.0.1:${port}/INBOX?starttls=never`, sink: new RecordingSink(), log });
    reader.start();
    await until(() => sockets.length > 0, 5000, 'the reader to connect');
    const started = Date.now();
    let stopped = false;
    void reader.stop().then(() => (stopped = true));
    await until(() => stopped, 20_000, 'the reader to stop');
    // src/shutdown.ts gives 'inbound mail' 400 ms; past it the database closes under a reader still connecting.
    expect(Date.now() - started).toBeLessThan(400);
  }, 30_000);
});

describe('IMAP_URL with odd characters in the password', () => {
  it('should either refuse an IMAP_URL whose password has a bare "%" at start-up with a one-line error, or read it', () => {
    const env = { IMAP_URL: 'imaps://kooperator%40example.org:50%off@imap.example.org/INBOX', APP_SECRET: 'x'.repeat(40), DATA_DIR: '/tmp/r-mailin-config' };
    let url: string | undefined;
    try {
      url = loadConfig(env).imapUrl;
    } catch (error) {
      // Refused by the settings check with the variable's name: fine.
      expect(String(error)).toMatch(/IMAP_URL/);
      // One line, and the password never in it.
      expect(String(error)).not.toMatch(/50%off|\n/);
      return;
    }
    // Accepted: then the reader must be able to use it (today decodeURIComponent throws "URI malformed"
    // in ImapReader's constructor, which startService does not expect).
    expect(() => imapSettings(url!)).not.toThrow();
  });

  it('should read a percent-encoded password with @, :, / and % in it', () => {
    const settings = imapSettings(`imaps://kooperator%40example.org:${encodeURIComponent('p@ss:w/rd%1')}@imap.example.org/INBOX`);
    expect(settings).toMatchObject({ user: 'kooperator@example.org', pass: 'p@ss:w/rd%1' });
  });
});
