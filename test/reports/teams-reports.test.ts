import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { activity, log, message, startHarness, type Harness } from '../adapters/teams/harness.js';
import { dialects } from '../support/databases.js';

const marta = { id: '29:marta', aadObjectId: 'aad-marta', email: 'marta.grabowska@example.org', name: 'Marta Grabowska' };
const jan = { id: '29:jan', aadObjectId: 'aad-jan', email: 'jan.kowalski@example.org', name: 'Jan Kowalski' };

describe.each(dialects)('Status and problem reports over Teams on %s', (kind) => {
  let h: Harness;
  let dispatcher: Dispatcher;
  const card = (call: ReturnType<FakeConnector['activities']>[number]) => FakeConnector.cardText(call);
  const postsTo = (person: typeof marta) => h.connector.activities().filter((c) => c.conversationId === `a:personal-${person.aadObjectId}`);

  beforeAll(async () => {
    h = await startHarness(kind);
    for (const p of [marta, jan]) h.connector.members.set(p.id, p);
    dispatcher = new Dispatcher({
      db: h.db.db,
      senders: new Map([['teams', h.adapter.sender]]),
      clock: new FixedClock('2027-01-04T08:00:00Z'),
      log,
      workerId: 'w',
      render: deliveryRenderer(h.db.db, 'https://koop.example.org', 'k'.repeat(40)),
    });
    // Both have talked to the bot before: Teams gave us their conversation references.
    await h.post(message(h.connector, jan, 'pomoc'));
    await h.post(message(h.connector, marta, 'pomoc'));
  });
  afterAll(async () => h?.close());

  it('should show the problem form as an Adaptive Card with the categories', async () => {
    await h.post(message(h.connector, marta, 'problem'));
    const reply = postsTo(marta).at(-1)!;
    const content = reply.body.attachments[0].content;
    const inputs = JSON.stringify(content.body);
    expect(inputs).toContain('"id":"category"');
    expect(inputs).toContain('kontrola/audyt');
    expect(JSON.stringify(content.actions)).toContain('"formId":"problem"');
  });

  it('should store a problem submitted from the card once, even when the card is sent twice', async () => {
    const value = { formId: 'problem', category: 'financial', urgency: 'urgent', description: 'Brak środków na catering', link: 'https://example.org/kosztorys' };
    await h.post(activity(h.connector, marta, { value }));
    expect(card(postsTo(marta).at(-1)!)).toContain('Zgłoszenie ma numer **LDZ-2027-001**');
    await h.post(activity(h.connector, marta, { value }));
    expect(card(postsTo(marta).at(-1)!)).toContain('już przyjęliśmy jako **LDZ-2027-001**');
    const reports = await h.db.db.selectFrom('problem_reports').selectAll().execute();
    expect(reports).toMatchObject([{ code: 'LDZ-2027-001', category: 'financial', urgency: 'urgent', link: 'https://example.org/kosztorys' }]);
  });

  it('should refuse an unknown category from a card and store nothing', async () => {
    await h.post(activity(h.connector, marta, { value: { formId: 'problem', category: 'pogoda', urgency: 'normal', description: 'x' } }));
    expect(card(postsTo(marta).at(-1)!)).toContain('Nie znamy kategorii „pogoda”');
    expect(await h.db.db.selectFrom('problem_reports').select('id').execute()).toHaveLength(1);
  });

  it('should store a status typed as a message', async () => {
    await h.post(message(h.connector, marta, 'status Rozmowa z kuratorem o 2 rodzinach'));
    expect(card(postsTo(marta).at(-1)!)).toContain('został zapisany');
    expect(await h.db.db.selectFrom('status_updates').select(['done', 'team_id']).execute()).toEqual([{ done: 'Rozmowa z kuratorem o 2 rodzinach', team_id: 'lodz' }]);
  });

  it('should route the report to RCPS in Teams with buttons, and tell the reporter of acknowledgement, comment and resolution', async () => {
    const before = postsTo(jan).length;
    await dispatcher.drain();
    const routed = postsTo(jan).slice(before);
    expect(routed).toHaveLength(1);
    expect(card(routed[0]!)).toContain('PILNE · Nowe zgłoszenie LDZ-2027-001 (PZK Łódź – demo)');
    expect(JSON.stringify(routed[0]!.body.attachments[0].content.actions)).toContain('"actionId":"report:ack"');
    // Jan's own signed link to the report page, as a link button beside the card's buttons.
    expect(JSON.stringify(routed[0]!.body.attachments[0].content.actions)).toMatch(/"type":"Action.OpenUrl","title":"Otwórz stronę zgłoszenia","url":"https:\/\/koop.example.org\/reports\/[\w-]+\.[\w-]+"/);

    await h.post(activity(h.connector, jan, { value: { actionId: 'report:ack', value: 'LDZ-2027-001' } }));
    expect(card(postsTo(jan).at(-1)!)).toContain('jest teraz: przyjęte');
    await h.post(message(h.connector, jan, 'zgłoszenie LDZ-2027-001 komentarz Proszę przesłać kosztorys'));
    await h.post(activity(h.connector, jan, { value: { actionId: 'report:resolve', value: 'LDZ-2027-001' } }));
    const mine = postsTo(marta).length;
    await dispatcher.drain();
    const told = postsTo(marta).slice(mine).map(card).join('\n---\n');
    expect(told).toContain('Zgłoszenie LDZ-2027-001: przyjęte');
    expect(told).toContain('Proszę przesłać kosztorys');
    expect(told).toContain('Zgłoszenie LDZ-2027-001: rozwiązane');
    expect(postsTo(marta).length - mine).toBe(3);
  });
});
