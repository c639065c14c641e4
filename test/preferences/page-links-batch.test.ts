import type { KyselyPlugin } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { checkLink, issueLink } from '../../src/me/personal-links.js';
import { dialects } from '../support/databases.js';
import { pageLinksSuite, SECRET } from './page-links-fixture.js';

/** Statements sent through the database handle given to the e-mail links (only counted). */
function counting(db: Db) {
  const counter = { personalLinks: 0 };
  const plugin: KyselyPlugin = {
    transformQuery: (args) => (JSON.stringify(args.node).includes('"personal_links"') && counter.personalLinks++, args.node),
    transformResult: async (args) => args.result,
  };
  return { counter, db: db.db.withPlugin(plugin) };
}

// Issue 17: the national week's most frequent statement was the page-link lookup, one per e-mail.
describe.each(dialects)('the personal page links of a batch of e-mails on %s', (kind) => {
  const suite = pageLinksSuite(kind);
  const { clock } = suite;

  it('should look up the links of everyone in the batch in one query, issue the missing ones in one insert, and give each person their own', async () => {
    const { db, smtp } = suite;
    const people = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').execute();
    expect(people.length).toBeGreaterThanOrEqual(6);
    // Half of them already have a current page link (a mail of last week); the others none.
    const withLink = people.filter((_, i) => i % 2 === 0);
    for (const p of withLink) await issueLink(db.db, SECRET, p.id, 'me', new Date(clock.now().getTime() - 7 * 86_400_000));
    await enqueue(
      db.db,
      people.map((p) => ({ key: `batch-${p.id}`, kind: 'reminder', personId: p.id, channels: ['email'], payload: { language: 'pl', title: 'Wiadomość', text: 'Treść.' }, dueAt: clock.now() })),
    );
    const { counter, db: counted } = counting(db);
    const dispatcher = suite.dispatcher(counted);
    expect(await dispatcher.drain()).toMatchObject({ sent: people.length });

    // One lookup for the batch and one insert for everyone who had no link (it was a lookup and an insert each).
    expect(people.length - withLink.length).toBeGreaterThanOrEqual(3);
    expect(counter.personalLinks).toBe(2);
    // Every mail carries its own recipient's link, and those who had one keep it.
    for (const p of people) {
      const mail = smtp.mails[smtp.envelopes.findIndex((e) => e.rcptTo.includes(p.email))];
      expect(mail, p.email).toBeDefined();
      const token = /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(mail!.text ?? '')?.[1];
      expect(await checkLink(db.db, token!, ['me'], clock.now())).toMatchObject({ ok: true, personId: p.id });
    }
    const links = await db.db.selectFrom('personal_links').select(['person_id']).where('purpose', '=', 'me').execute();
    expect(links.length).toBe(people.length);
  });
});
