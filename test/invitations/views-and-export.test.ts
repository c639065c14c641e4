import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { exporters } from '../../src/export/exports.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { invitationsPersonalData } from '../../src/invitations/personal-data.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { everyone, importFixture, personId, WORKSHOP } from './support.js';

describe.each(dialects)('warsztaty, the attendance export and personal data on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const say = (email: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email }, command: text.split(' ')[0]!, text: text.split(' ').slice(1).join(' ') });

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
    await planInvitations(db.db, clock);
    bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'x'.repeat(40), log: createLogger('silent') });
    for (const [i, email] of everyone.slice(0, 26).entries()) {
      clock.advance(60_000);
      await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: await personId(db.db, email), answer: i === 3 ? 'declined' : i === 4 ? 'maybe' : 'accepted' });
    }
  }, 240_000);
  afterAll(async () => db?.close());

  it('should show a member their open invitations with answer buttons and their answers', async () => {
    const answer = await say('lodz1@example.org', 'warsztaty');
    expect(answer.title).toBe('Warsztaty i zaproszenia');
    expect(answer.items?.map((i) => i.title)).toEqual(['Warsztaty kooperacyjne (wyjazdowe)', 'Szkolenie dla PZK Łódź']);
    expect(answer.items?.[0]!.lines).toContain('wezmę udział');
    expect(answer.items?.[1]!.lines).toContain('bez odpowiedzi');
    expect(answer.items?.[0]!.actions?.map((a) => a.id)).toEqual(['rsvp:accept', 'rsvp:maybe', 'rsvp:decline']);
  });

  it('should show RCPS per activity: invited, accepted, declined, maybe, waiting, no answer, by team and institution', async () => {
    const answer = await say('jan.kowalski@example.org', 'warsztaty');
    const workshop = answer.items?.find((i) => i.title === 'Warsztaty kooperacyjne (wyjazdowe)');
    expect(workshop?.lines[0]).toBe('zaproszeni 30, wezmą udział 24, nie wezmą 1, może 1, rezerwowa 0, bez odpowiedzi 4');
    expect(workshop?.lines).toContain('- PZK Kutno: zaproszeni 10, wezmą udział 6, nie wezmą 0, może 0, rezerwowa 0, bez odpowiedzi 4');
    expect(workshop?.lines.some((l) => l.startsWith('- Sąd Rejonowy: zaproszeni 6'))).toBe(true);
  });

  it('should export attendance as CSV for Polish Excel: one row per invited person and activity day, the first nine columns as before', async () => {
    const csv = await exporters.attendance!(db.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() });
    expect(csv.startsWith('\uFEFFwydarzenie;tytuł;początek;imię i nazwisko;instytucja;zespół;odpowiedź;data odpowiedzi;oferta miejsca;')).toBe(true);
    const lines = csv.trim().split('\r\n');
    // 30 invited to the two-day workshop (a row per day), 10 to the training, and the 3 teams' two March meetings of 10 members each.
    expect(lines).toHaveLength(1 + 30 * 2 + 10 + 3 * 2 * 10);
    expect(lines).toContain('warsztaty-2027-1;Warsztaty kooperacyjne (wyjazdowe);2027-03-10 09:00;Osoba 1 lodz;Sąd Rejonowy;PZK Łódź;weźmie udział;2027-02-01 10:01;;Warsztaty;2027-03-10;09:00–16:00;7;brak zapisu;');
    expect(lines.some((l) => l.includes(';brak odpowiedzi;;;'))).toBe(true);
    expect((await exporters.attendance!(db.db, { from: '2027-04-01', to: '2027-04-30', now: clock.now() })).trim().split('\r\n')).toHaveLength(1 + 3 * 2 * 10);
  });

  it('should collect and erase a person\'s invitations and answers', async () => {
    const id = await personId(db.db, 'lodz1@example.org');
    const collected = (await invitationsPersonalData.collect(db.db, id)) as { invitations: unknown[] };
    expect(collected.invitations).toHaveLength(2);
    await db.db.transaction().execute((trx) => invitationsPersonalData.erase(trx, id));
    expect(((await invitationsPersonalData.collect(db.db, id)) as { invitations: unknown[] }).invitations).toHaveLength(0);
  });

  it('should let RCPS create an activity through the form and refuse one in the past; members may not', async () => {
    const rcps = { channel: 'console' as const, email: 'jan.kowalski@example.org' };
    const form = await say('jan.kowalski@example.org', 'warsztaty nowe');
    expect(form.form?.id).toBe('activity-new');
    expect((await say('lodz2@example.org', 'warsztaty nowe')).text).toContain('pracownicy RCPS');
    const values = { title: 'Coaching dla Kutna', kind: 'coaching', starts: '2027-04-01 10:00', ends: '2027-04-01 12:00', audience: 'kutno', capacity: '5', rsvp_by: '2027-03-25' };
    const past = await bot.handle({ type: 'form', from: rcps, formId: 'activity-new', values: { ...values, starts: '2027-01-10 10:00', ends: '2027-01-10 12:00' } });
    expect(past.text).toContain('już się zaczęło lub odbyło');
    // The refusal names its field, so a Slack modal stays open with the reason under it.
    expect(past.formError).toEqual({ fieldId: 'starts', text: past.text });
    expect((await bot.handle({ type: 'form', from: rcps, formId: 'activity-new', values: { ...values, audience: 'kutnoo' } })).text).toContain('Nie znamy zespołów: kutnoo');
    const before = await db.db.selectFrom('activities').select('id').execute();
    const created = await bot.handle({ type: 'form', from: rcps, formId: 'activity-new', values });
    expect(created.title).toBe('Wydarzenie utworzone');
    expect((await db.db.selectFrom('activities').select('id').execute()).length).toBe(before.length + 1);
    // 10 for the new activity, and lodz1 again for two (their data was erased above, but they are still a member).
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 12, updated: 0 });
  });

  it('should refuse seats below those already accepted and change nothing; more seats go to the waiting list', async () => {
    const rcps = (text: string) => say('jan.kowalski@example.org', text);
    const refused = await rcps(`warsztaty miejsca ${WORKSHOP} 20`);
    expect(refused.text).toBe('Nie można zmniejszyć liczby miejsc do 20: liczba osób, które już potwierdziły udział, to 23. Nic nie zmieniono.');
    expect((await db.db.selectFrom('activities').select('capacity').where('id', '=', WORKSHOP).executeTakeFirstOrThrow()).capacity).toBe(24);
    await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: await personId(db.db, 'kutno9@example.org'), answer: 'accepted' });
    expect(await answerInvitation(db.db, clock, { activityId: WORKSHOP, personId: await personId(db.db, 'kutno10@example.org'), answer: 'accepted' })).toMatchObject({ status: 'waiting', place: 1 });
    const more = await rcps(`warsztaty miejsca ${WORKSHOP} 25`);
    expect(more.text).toContain('Liczba osób z listy rezerwowej, którym zaproponowano miejsce: 1.');
    expect((await say('lodz2@example.org', `warsztaty miejsca ${WORKSHOP} 40`)).text).toContain('pracownicy RCPS');
  });
});
