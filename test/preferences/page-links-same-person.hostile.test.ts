import { describe, expect, it } from 'vitest';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import { checkLink, endAllLinks } from '../../src/me/personal-links.js';
import { dialects } from '../support/databases.js';
import { pageLinksSuite } from './page-links-fixture.js';

// Hostile review of 91c108d (the missing page links of a batch made in one insert).
describe.each(dialects)('page links of one person with several mails in one batch, on %s', (kind) => {
  const suite = pageLinksSuite(kind);
  const { clock } = suite;

  it('should give three mails to one person without a link one new link, and another person their own', async () => {
    const { db, smtp } = suite;
    const [a, b] = await db.db.selectFrom('people').select(['id', 'email']).where('removed_at', 'is', null).orderBy('id').limit(2).execute();
    for (const p of [a!, b!]) await endAllLinks(db.db, p.id, clock.now());
    const mail = (key: string, personId: number): PlannedDelivery => ({ key, kind: 'reminder', personId, channels: ['email' as const], payload: { language: 'pl', title: key, text: 'Treść.' }, dueAt: clock.now() });
    await enqueue(db.db, [mail('same-a1', a!.id), mail('same-b', b!.id), mail('same-a2', a!.id), mail('same-a3', a!.id)]);
    const before = smtp.mails.length;
    const linksBefore = (await db.db.selectFrom('personal_links').select('id').execute()).length;
    const dispatcher = suite.dispatcher();
    expect(await dispatcher.drain()).toMatchObject({ sent: 4 });
    await dispatcher.stop();
    const tokens = new Map<string, string>();
    for (const m of smtp.mails.slice(before)) tokens.set(m.subject ?? '', /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(m.text ?? '')![1]!);
    const of = (title: string) => [...tokens].find(([s]) => s.includes(title))![1];
    expect(of('same-a1')).toBe(of('same-a2'));
    expect(of('same-a1')).toBe(of('same-a3'));
    expect(of('same-b')).not.toBe(of('same-a1'));
    expect(await checkLink(db.db, of('same-a1'), ['me'], clock.now())).toMatchObject({ ok: true, personId: a!.id });
    expect(await checkLink(db.db, of('same-b'), ['me'], clock.now())).toMatchObject({ ok: true, personId: b!.id });
    // One new link each, not one per mail.
    expect((await db.db.selectFrom('personal_links').select('id').execute()).length - linksBefore).toBe(2);
  });
});
