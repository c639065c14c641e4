import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer, shareableRendering } from '../../src/delivery/render-delivery.js';
import { fittingReplyAddress } from '../../src/inbound/reply-address.js';
import { createLogger } from '../../src/log.js';
import { emailLinks } from '../../src/preferences/preference-links.js';
import { planDigests } from '../../src/reports/digest.js';
import type { ChannelSender, Message } from '../../src/ports/channel.port.js';
import { emailAdapterFor, FROM, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const log = createLogger('silent');
const SECRET = 'hostile-secret-0123456789abcdef';

/** Hostile: one shared digest rendering per batch must still give each RCPS person their own links, and the same content. */
describe.each(dialects)('a digest rendered once for several RCPS persons on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  const clock = new FixedClock('2027-03-10T12:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
  }, 120_000);
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should send every person their own unsubscribe link and reply address, and the same digest, twice over', async () => {
    await planDigests(db.db, clock);
    const seen: Message[] = [];
    // The real e-mail sender, watched: the message it is given is kept to compare afterwards.
    const watched: ChannelSender = { ...email.sender, send: (address, message, o) => (seen.push(structuredClone(message)), email.sender.send(address, message, o)) };
    clock.set('2027-03-15T07:00:00Z');
    const dispatcher = new Dispatcher({
      db: db.db,
      senders: new Map([['email', watched]]),
      clock,
      log,
      workerId: 'w',
      render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET),
      shareable: shareableRendering,
      emailLinks: emailLinks(db.db, 'https://koop.example.org', SECRET, clock),
      replyAddress: (ref) => fittingReplyAddress(SECRET, FROM, ref),
    });
    await dispatcher.drain();
    const digests = smtp.mails.filter((m) => m.subject?.startsWith('Podsumowanie tygodnia'));
    expect(digests).toHaveLength(2);
    const replyTo = digests.map((m) => (m.replyTo && 'text' in m.replyTo ? m.replyTo.text : ''));
    expect(new Set(replyTo).size).toBe(2);
    expect(seen).toHaveLength(2);
    // Same shared content apart from the per-person parts.
    const strip = (m: Message) => ({ ...m, unsubscribeUrl: undefined, preferencesUrl: undefined, replyAddress: undefined });
    expect(strip(seen[0]!)).toEqual(strip(seen[1]!));
    expect(seen[0]!.preferencesUrl).toBeTruthy();
    expect(seen[0]!.preferencesUrl).not.toBe(seen[1]!.preferencesUrl);
    expect(seen[0]!.replyAddress).not.toBe(seen[1]!.replyAddress);
    // Bodies identical apart from links.
    const body = (t: string) => t.replace(/https?:\S+/g, 'URL');
    expect(body(digests[0]!.text!)).toBe(body(digests[1]!.text!));
  });

  it('should render the digest once per language: an English-speaking RCPS person gets it in English, the other in Polish', async () => {
    await db.db.updateTable('people').set({ language: 'en' }).where('email', '=', 'jan.kowalski@example.org').execute();
    const before = smtp.mails.length;
    clock.set('2027-03-22T07:00:00Z');
    const dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org', SECRET), shareable: shareableRendering });
    await dispatcher.drain();
    const mails = smtp.mails.slice(before);
    const to = (m: (typeof mails)[number]) => (m.to && 'text' in m.to ? m.to.text : '');
    expect(mails).toHaveLength(2);
    expect(mails.find((m) => to(m) === 'jan.kowalski@example.org')!.subject).not.toMatch(/Podsumowanie/);
    expect(mails.find((m) => to(m) === 'elzbieta.pawlak@example.org')!.subject).toMatch(/^Podsumowanie tygodnia/);
  });
});
