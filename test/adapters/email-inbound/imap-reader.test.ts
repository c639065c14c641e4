import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { ImapReader, PROCESSED_KEYWORD, type ImapReaderOptions } from '../../../adapters/email-inbound/imap-reader.js';
import { createLogger } from '../../../src/log.js';
import { dovecotOrSkip } from '../../support/dovecot.js';
import { aLargeMail, aMail, RecordingSink, until } from './support.js';

const log = createLogger('silent');
const { dovecot, skip } = await dovecotOrSkip();

describe.skipIf(!!skip)('IMAP reader against a real Dovecot', () => {
  const readers: ImapReader[] = [];
  let client: ImapFlow;
  afterEach(async () => {
    while (readers.length) await readers.pop()!.stop();
    // Each test starts from an empty mailbox.
    if (client?.usable) {
      const lock = await client.getMailboxLock('INBOX');
      try {
        await client.messageDelete('1:*');
      } finally {
        lock.release();
      }
    }
  });
  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    await dovecot?.close();
  });

  const put = async (raw: string | Buffer) => {
    if (!client?.usable) client = await dovecot!.client();
    await client.append('INBOX', raw);
  };
  const flagsOf = async (): Promise<string[][]> => {
    if (!client?.usable) client = await dovecot!.client();
    const lock = await client.getMailboxLock('INBOX');
    try {
      return (await client.fetchAll('1:*', { flags: true, uid: true })).sort((a, b) => a.uid - b.uid).map((m) => [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort());
    } finally {
      lock.release();
    }
  };
  const reader = (sink: RecordingSink, options: Partial<ImapReaderOptions> = {}) => {
    const r = new ImapReader({ url: dovecot!.url, sink, log, pollMs: 60_000, retry: { first: 100, max: 200 }, reconnect: { first: 100, max: 300 }, ...options });
    readers.push(r);
    r.start();
    return r;
  };

  it('should hand each mail over once and mark it only after receive resolved', async () => {
    await put(aMail('one'));
    await put(aMail('two'));
    const sink = new RecordingSink();
    let release!: () => void;
    sink.next = () => new Promise<void>((resolve) => (release = resolve));
    reader(sink);

    await until(() => sink.received.length === 1, 10_000, 'the first mail');
    // receive has not resolved: nothing is marked yet.
    expect(await flagsOf()).toEqual([[], []]);
    release();
    await until(async () => (await flagsOf()).every((f) => f.includes(PROCESSED_KEYWORD)), 10_000, 'both mails marked');
    expect(await flagsOf()).toEqual([[PROCESSED_KEYWORD, '\\Seen'], [PROCESSED_KEYWORD, '\\Seen']]);
    expect(sink.ids()).toEqual(['<one@example.org>', '<two@example.org>']);
    expect(sink.received[0]!.envelope.transport).toBe('imap');
    expect(sink.received[0]!.raw.toString()).toContain('Będę, dziękuję.');

    // New mail arrives through IDLE: the poll is a minute away.
    await put(aMail('three'));
    await until(() => sink.received.length === 3, 8_000, 'the mail IDLE announced');
    expect(sink.ids()).toEqual(['<one@example.org>', '<two@example.org>', '<three@example.org>']);
  });

  it('should leave a mail whose receive threw, and offer it again later', async () => {
    await put(aMail('db-away'));
    const sink = new RecordingSink();
    sink.next = () => {
      throw new Error('the database is away');
    };
    reader(sink);
    await until(() => sink.received.length >= 1, 10_000, 'the first attempt');
    expect((await flagsOf())[0]).toEqual([]);
    await until(async () => (await flagsOf())[0]!.includes(PROCESSED_KEYWORD), 10_000, 'the retry');
    expect(sink.ids()).toEqual(['<db-away@example.org>', '<db-away@example.org>']);
  });

  it('should offer the mail again to a restarted reader after a crash between receive and flag', async () => {
    await put(aMail('crash'));
    const first = new RecordingSink();
    const crashed = reader(first, { reconnect: { first: 5000, max: 5000 } });
    // The process "dies" once receive resolved, before the flag: its connection is gone.
    first.next = () => void (crashed as unknown as { client: ImapFlow }).client.close();
    await until(() => first.received.length === 1, 10_000, 'the first receive');
    await crashed.stop();
    expect((await flagsOf())[0]).toEqual([]);

    const second = new RecordingSink();
    // The sink remembers what it recorded (the real one by Message-ID in the database).
    second.recorded.add('<crash@example.org>');
    reader(second);
    await until(async () => (await flagsOf())[0]!.includes(PROCESSED_KEYWORD), 10_000, 'the mail marked after the restart');
    expect(second.ids()).toEqual(['<crash@example.org>']);
  });

  it('should connect again after Dovecot restarts', async () => {
    const sink = new RecordingSink();
    reader(sink);
    await put(aMail('before'));
    await until(() => sink.received.length === 1, 10_000, 'the mail before the restart');
    await client.logout().catch(() => undefined);
    await dovecot!.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await dovecot!.start();
    await put(aMail('after'));
    await until(() => sink.received.length === 2, 15_000, 'the mail after the restart');
    expect(sink.ids()).toEqual(['<before@example.org>', '<after@example.org>']);
  });

  it('should hand over a 25 MB mail whole, and only the header of a mail over the limit', async () => {
    const big = aLargeMail('big', 25 * 1024 * 1024);
    await put(big);
    const sink = new RecordingSink();
    reader(sink);
    await until(() => sink.received.length === 1, 60_000, 'the 25 MB mail');
    expect(sink.received[0]!.raw.length).toBe(big.length);
    expect(sink.received[0]!.envelope.truncatedFrom).toBeUndefined();
    sink.received.length = 0;
    await until(async () => (await flagsOf())[0]!.includes(PROCESSED_KEYWORD), 10_000, 'the big mail marked');

    await put(aLargeMail('huge', 2 * 1024 * 1024));
    const limited = new RecordingSink();
    reader(limited, { maxBytes: 1024 * 1024 });
    await until(() => limited.received.length === 1, 20_000, 'the mail over the limit');
    const { raw, envelope } = limited.received[0]!;
    expect(envelope.truncatedFrom).toBeGreaterThan(2 * 1024 * 1024);
    expect(raw.length).toBeLessThan(1024);
    expect(raw.toString()).toContain('Message-ID: <huge@example.org>');
  }, 120_000);
});
