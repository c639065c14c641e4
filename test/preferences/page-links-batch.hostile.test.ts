import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { checkLink, endAllLinks, issueLink } from '../../src/me/personal-links.js';
import type { ChannelSender } from '../../src/ports/channel.port.js';
import { DEFAULT_PACING, platformPacing } from '../../src/delivery/platform-pacing.js';
import { emailLinks } from '../../src/preferences/preference-links.js';
import { dialects } from '../support/databases.js';
import { faultyDemoDatabase, type DatabaseFaults } from '../support/faults.js';
import { log, pageLinksSuite, PUBLIC, SECRET } from './page-links-fixture.js';

// Hostile review of 4b1dace (a batch of e-mails looks up its recipients' page links in one query).
describe.each(dialects)('the batch lookup of personal page links, under faults, on %s', (kind) => {
  let faults: DatabaseFaults;
  const suite = pageLinksSuite(kind, async (k, clock) => {
    const faulty = await faultyDemoDatabase(k, clock);
    faults = faulty.faults;
    return faulty.db;
  });
  const { clock } = suite;

  /**
   * A dispatcher of batches of up to 10 e-mails through one SMTP connection (a relay's pool) that
   * is slow: the first mail takes five minutes, in which `meanwhile` runs.
   */
  const slowRelayDispatcher = (meanwhile?: () => Promise<unknown>) => {
    const { db, email } = suite;
    let first = true;
    const slowRelay: ChannelSender = {
      kind: 'email',
      concurrency: 1,
      send: async (address, message, options) => {
        if (first) {
          first = false;
          clock.advance(5 * 60_000);
          if (meanwhile) await meanwhile();
        }
        return email.sender.send(address, message, options);
      },
    };
    const pacing = { ...DEFAULT_PACING, email: { perSecond: 1000, burst: 1000 } };
    return new Dispatcher({
      db: db.db, clock, log, workerId: 'w', batchSize: 10, senders: new Map([['email', slowRelay]]), maxPaceWaitMs: 1000,
      pacing: (channel, address) => platformPacing(channel, address, pacing),
      emailLinks: emailLinks(db.db, PUBLIC, SECRET, clock),
    });
  };

  it('should not fail every e-mail of the batch for good when the one lookup of their links fails once', async () => {
    const { db } = suite;
    const people = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').execute();
    expect(people.length).toBeGreaterThanOrEqual(6);
    for (const p of people) await issueLink(db.db, SECRET, p.id, 'me', new Date(clock.now().getTime() - 86_400_000));
    await enqueue(
      db.db,
      people.map((p) => ({ key: `fault-${p.id}`, kind: 'reminder', personId: p.id, channels: ['email'], payload: { language: 'pl', title: 'Wiadomość', text: 'Treść.' }, dueAt: clock.now() })),
    );
    // One statement fails, as one would on a dropped connection: the batch's lookup of the links.
    faults.failFirst(/from "personal_links" where "person_id" in \(/i);
    const dispatcher = suite.dispatcher();
    const report = await dispatcher.drain();
    expect(faults.queries.some((q) => q.failed)).toBe(true);
    // Before the batch lookup each mail looked its link up alone: one failed statement could cost
    // one mail at most. Cached in the batch, the failure failed every e-mail of it, for good.
    const failed = await db.db.selectFrom('deliveries').select(['person_id', 'last_error']).where('state', '=', 'failed').execute();
    expect(failed).toEqual([]);
    expect(report).toMatchObject({ sent: people.length });
  });

  it("should not put a link its person ended minutes ago into a later mail of the same batch", async () => {
    const { db, smtp } = suite;
    const [a, b] = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').limit(2).execute();
    const start = clock.now().getTime();
    await issueLink(db.db, SECRET, b!.id, 'me', new Date(start - 86_400_000));
    await enqueue(db.db, [
      { key: `ended-a`, kind: 'reminder', personId: a!.id, channels: ['email'], payload: { language: 'pl', title: 'Pierwsza', text: 'Treść.' }, dueAt: new Date(start - 2) },
      { key: `ended-b`, kind: 'reminder', personId: b!.id, channels: ['email'], payload: { language: 'pl', title: 'Druga', text: 'Treść.' }, dueAt: new Date(start - 1) },
    ]);
    const before = smtp.mails.length;
    // One SMTP connection (a relay's pool) that is slow: the first mail takes five minutes, and
    // meanwhile the second mail's person ends all their links (their page link was forwarded).
    const dispatcher = slowRelayDispatcher(() => endAllLinks(db.db, b!.id, clock.now()));
    expect(await dispatcher.drain()).toMatchObject({ sent: 2 });
    await dispatcher.stop();
    const mail = smtp.mails.slice(before).find((m) => m.subject?.includes('Druga'));
    const token = /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(mail?.text ?? '')?.[1];
    expect(token).toBeDefined();
    // Looked up per mail (once a minute at most), the second mail got a new, live link; looked up
    // once for the batch five minutes before, it carried the link that had been ended (404).
    expect(await checkLink(db.db, token!, ['me'], clock.now())).toMatchObject({ ok: true, personId: b!.id });
  });

  it('should not put a link with less than a week left into a mail sent minutes into the batch', async () => {
    const { db, smtp } = suite;
    const [a, , c] = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').limit(3).execute();
    const start = clock.now().getTime();
    // C's only live link has a week and two minutes left when the batch begins.
    await endAllLinks(db.db, c!.id, clock.now());
    await issueLink(db.db, SECRET, c!.id, 'me', new Date(start + 2 * 60_000 - 23 * 86_400_000));
    await enqueue(db.db, [
      { key: `renew-a`, kind: 'reminder', personId: a!.id, channels: ['email'], payload: { language: 'pl', title: 'Trzecia', text: 'Treść.' }, dueAt: new Date(start - 2) },
      { key: `renew-c`, kind: 'reminder', personId: c!.id, channels: ['email'], payload: { language: 'pl', title: 'Czwarta', text: 'Treść.' }, dueAt: new Date(start - 1) },
    ]);
    const before = smtp.mails.length;
    const dispatcher = slowRelayDispatcher();
    expect(await dispatcher.drain()).toMatchObject({ sent: 2 });
    await dispatcher.stop();
    const mail = smtp.mails.slice(before).find((m) => m.subject?.includes('Czwarta'));
    const token = /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(mail?.text ?? '')?.[1];
    const checked = await checkLink(db.db, token!, ['me'], clock.now());
    expect(checked).toMatchObject({ ok: true, personId: c!.id });
    // When it was sent the old link had less than a week left: the mail carries a new one.
    const link = await db.db.selectFrom('personal_links').select('expires_at').where('id', '=', checked.ok ? checked.id : -1).executeTakeFirstOrThrow();
    expect(link.expires_at.getTime() - clock.now().getTime()).toBeGreaterThan(7 * 86_400_000);
  });
  it('should still give each mail its own new link when the one insert of the missing links fails', async () => {
    const { db, smtp } = suite;
    const people = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').limit(4).execute();
    // Nobody has a link: the batch makes all of them in one insert, which fails once.
    for (const p of people) await endAllLinks(db.db, p.id, clock.now());
    await enqueue(
      db.db,
      people.map((p) => ({ key: `insert-fault-${p.id}`, kind: 'reminder', personId: p.id, channels: ['email'], payload: { language: 'pl', title: 'Piąta', text: 'Treść.' }, dueAt: clock.now() })),
    );
    faults.failFirst(/insert into "personal_links"/i);
    const before = smtp.mails.length;
    const dispatcher = suite.dispatcher();
    expect(await dispatcher.drain()).toMatchObject({ sent: people.length, failed: 0 });
    await dispatcher.stop();
    expect(faults.queries.some((q) => q.failed && /insert into "personal_links"/i.test(q.sql))).toBe(true);
    const mails = smtp.mails.slice(before);
    const envelopes = smtp.envelopes.slice(before);
    for (const p of people) {
      const mail = mails[envelopes.findIndex((e) => e.rcptTo.includes(p.email))];
      const token = /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(mail?.text ?? '')?.[1];
      expect(token, p.email).toBeDefined();
      expect(await checkLink(db.db, token!, ['me'], clock.now())).toMatchObject({ ok: true, personId: p.id });
    }
  });

  it('should look a batch\'s links up again once per minute of the batch, in one query, not once per later mail', async () => {
    const { db } = suite;
    // One batch (the dispatcher claims 10).
    const people = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').limit(10).execute();
    expect(people.length).toBeGreaterThanOrEqual(6);
    for (const p of people) await issueLink(db.db, SECRET, p.id, 'me', new Date(clock.now().getTime() - 86_400_000));
    await enqueue(
      db.db,
      people.map((p, i) => ({ key: `minute-${p.id}`, kind: 'reminder', personId: p.id, channels: ['email'], payload: { language: 'pl', title: `Minuta ${i}`, text: 'Treść.' }, dueAt: new Date(clock.now().getTime() - people.length + i) })),
    );
    faults.queries.length = 0;
    // The first mail takes five minutes; every later one of the batch is sent after the first minute.
    const dispatcher = slowRelayDispatcher();
    expect(await dispatcher.drain()).toMatchObject({ sent: people.length });
    await dispatcher.stop();
    const lookups = faults.queries.filter((q) => /from "personal_links" where "person_id" in \(/i.test(q.sql));
    // The batch's lookup, then one more for the minute the later mails go in (before: one per later mail).
    expect(lookups).toHaveLength(2);
    expect(lookups[1]!.sql.match(/\$\d+/g)!.length).toBeGreaterThan(people.length - 1);
  });
});
