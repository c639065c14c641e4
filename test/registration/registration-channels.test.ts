import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { exportRegistrations } from '../../src/export/registrations-export.js';
import { activityAnswers } from '../../src/invitations/answer-counts.js';
import { answersPage } from '../../src/invitations/answers-page.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { registrationTotals } from '../../src/registration/totals.js';
import { buttonClick, modalSubmission } from '../adapters/slack/slack-requests.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { activity as teamsActivity } from '../adapters/teams/harness.js';
import { slackUser, startChannelHarness, teamsUser, type ChannelHarness } from '../invitations/channel-harness.js';
import { WORKSHOP } from '../invitations/support.js';
import { dialects } from '../support/databases.js';
import { importWithQuestions, storedAnswers } from './support.js';

const FORM = `registration:${WORKSHOP}`;
const mailTo = (h: ChannelHarness, email: string) => h.smtp.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(email)));
const rsvpLinks = (h: ChannelHarness, email: string) =>
  [...(mailTo(h, email)[0]!.text ?? '').matchAll(/https?:\/\/[^\s)]+\/rsvp\/[A-Za-z0-9_.-]+/g)].map((m) => `${h.url}${new URL(m[0]).pathname}`);
const form = (body: string) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

describe.each(dialects)('registration questions asked with "accept" on every channel, on %s', (kind) => {
  let h: ChannelHarness;
  beforeAll(async () => {
    h = await startChannelHarness(kind);
    await importWithQuestions(h.db.db, h.clock);
    await planInvitations(h.db.db, h.clock);
    await h.dispatcher.drain();
  }, 240_000);
  afterAll(async () => h?.close());

  it('Slack: accept opens a modal with the questions; its signed submission stores the answers, a forged option is refused under its field', async () => {
    const user = slackUser(1).id;
    await h.slack.interaction(buttonClick(user, 'rsvp:accept', WORKSHOP));
    const [open] = await h.slackApi.waitFor('views.open');
    const view = open!.params.view as { callback_id: string; blocks: { type: string; block_id?: string; element?: { type: string; options?: unknown[] }; text?: { text: string } }[] };
    expect(view.callback_id).toBe(FORM);
    expect(view.blocks[0]!.text!.text).toContain('zapisaliśmy Panią/Pana');
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b.element!.type])).toEqual([
      ['dieta', 'static_select'],
      ['noclegi', 'multi_static_select'],
      ['transport', 'static_select'],
      ['dostepnosc', 'plain_text_input'],
    ]);
    const typed = {
      dieta: { type: 'static_select', selected_option: { value: 'kawior' } },
      noclegi: { type: 'multi_static_select', selected_options: [{ value: 'n1' }] },
      transport: { type: 'static_select', selected_option: { value: 'lodz' } },
      dostepnosc: { type: 'plain_text_input', value: null },
    };
    const forged = await h.slack.interaction(modalSubmission(user, FORM, 'T-forged', typed as never));
    expect(await forged.json()).toEqual({ response_action: 'errors', errors: { dieta: expect.stringContaining('tylko jedną z podanych możliwości') } });
    expect(await storedAnswers(h.db.db, WORKSHOP, slackUser(1).email)).toEqual({});

    const good = await h.slack.interaction(modalSubmission(user, FORM, 'T-good', { ...typed, dieta: { type: 'static_select', selected_option: { value: 'wege' } } } as never));
    expect(good.status).toBe(200);
    expect(await storedAnswers(h.db.db, WORKSHOP, slackUser(1).email)).toEqual({ dieta: 'wege', noclegi: 'n1', transport: 'lodz' });
    // The answer "accept" is what it was: one seat, the answers a separate record.
    const rsvp = await h.db.db.selectFrom('rsvps').innerJoin('people', 'people.id', 'rsvps.person_id').select('answer').where('people.email', '=', slackUser(1).email).executeTakeFirst();
    expect(rsvp).toEqual({ answer: 'accepted' });

    // Accept again: the same modal, with the answers given.
    await h.slack.interaction(buttonClick(user, 'rsvp:accept', WORKSHOP));
    const again = (await h.slackApi.waitFor('views.open', 2))[1]!.params.view as { blocks: { block_id?: string; element?: Record<string, unknown> }[] };
    expect(again.blocks.find((b) => b.block_id === 'dieta')!.element!.initial_option).toEqual({ text: expect.objectContaining({ text: 'wegetariańska' }), value: 'wege' });
    expect(again.blocks.find((b) => b.block_id === 'noclegi')!.element!.initial_options).toHaveLength(1);
  });

  it('Teams: accept answers with an Adaptive Card holding the questions; its submit stores them, a forged option changes nothing', async () => {
    const person = teamsUser(1);
    await h.postTeams(teamsActivity(h.connector, person, { value: { actionId: 'rsvp:accept', value: WORKSHOP } }));
    const card = JSON.stringify(h.connector.activities().at(-1)!.body);
    expect(card).toContain('"isMultiSelect":true');
    expect(card).toContain(`"formId":"${FORM}"`);
    expect(card).toContain('autokarem z Łowicza');

    await h.postTeams(teamsActivity(h.connector, person, { value: { formId: FORM, dieta: 'zwykla', transport: 'pociag' } }));
    expect(FakeConnector.cardText(h.connector.activities().at(-1)!)).toContain('tylko jedną z podanych możliwości');
    expect(await storedAnswers(h.db.db, WORKSHOP, 'lowicz1@example.org')).toEqual({});

    await h.postTeams(teamsActivity(h.connector, person, { value: { formId: FORM, dieta: 'zwykla', noclegi: 'n1,n2', transport: 'lowicz', dostepnosc: 'pętla indukcyjna' } }));
    expect(FakeConnector.cardText(h.connector.activities().at(-1)!)).toContain('zapisaliśmy Pani/Pana odpowiedzi');
    expect(await storedAnswers(h.db.db, WORKSHOP, 'lowicz1@example.org')).toEqual({ dieta: 'zwykla', noclegi: 'n1,n2', transport: 'lowicz', dostepnosc: 'pętla indukcyjna' });
  });

  it('e-mail: the page after POST accept shows the form; its POST stores the answers, a forged option is a 400 that changes nothing', async () => {
    const email = 'kutno3@example.org';
    const [accept] = rsvpLinks(h, email);
    const accepted = await fetch(accept!, form(''));
    const page = await accepted.text();
    expect(page).toContain(`action="${new URL(accept!).pathname}/registration"`);
    expect(page).toContain('name="noclegi.n2"');
    const registration = `${accept}/registration`;

    const forged = await fetch(registration, form('dieta=wege&transport=lowicz&noclegi.n9=1'));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('tylko jedną z podanych możliwości');
    expect(await storedAnswers(h.db.db, WORKSHOP, email)).toEqual({});
    const tooLong = await fetch(registration, form(`dieta=wege&dostepnosc=${'a'.repeat(501)}`));
    expect(tooLong.status).toBe(400);
    expect(await tooLong.text()).toContain('może mieć najwyżej 500 znaków');

    const saved = await fetch(registration, form('dieta=wege&transport=lowicz&noclegi.n1=1&noclegi.n2=1&dostepnosc=w%C3%B3zek+%3Cb%3E'));
    expect(saved.status).toBe(200);
    expect(await storedAnswers(h.db.db, WORKSHOP, email)).toEqual({ dieta: 'wege', noclegi: 'n1,n2', transport: 'lowicz', dostepnosc: 'wózek <b>' });
    // GET shows the answers given, escaped.
    const shown = await (await fetch(registration)).text();
    expect(shown).toContain('value="wózek &lt;b&gt;"');
    expect(shown).toMatch(/name="noclegi.n1" value="1" checked/);
    // A "decline" link does not open the questions.
    expect((await fetch(`${rsvpLinks(h, email)[2]}/registration`)).status).toBe(404);
  });

  it('the terminal: accept from `warsztaty`, then the questions numbered, choices by their numbers', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let said = '';
    output.on('data', (chunk) => (said += String(chunk)));
    const done = runConsoleChat({ email: 'kutno5@example.org', handle: (incoming) => h.bot.handle(incoming), input, output });
    // warsztaty → button 1 is "Wezmę udział"; then dieta [2] wegetariańska, noclegi 1,2, transport [1], accessibility text.
    input.end(['warsztaty', '1', '2', '1,2', '1', 'tłumacz PJM', ''].join('\n'));
    await done;
    expect(said).toContain('Noclegi (które noce) (można wybrać kilka) (nieobowiązkowe; proszę wpisać numery po przecinku');
    expect(said).toContain('Odpowiedzi zapisane');
    expect(await storedAnswers(h.db.db, WORKSHOP, 'kutno5@example.org')).toEqual({ dieta: 'wege', noclegi: 'n1,n2', transport: 'lowicz', dostepnosc: 'tłumacz PJM' });
  });

  it('RCPS: the totals over several people (two answering in one batch) on the answers page and in the CSV', async () => {
    // Two people accept and answer at the same moment.
    const people = ['kutno6@example.org', 'kutno7@example.org'];
    for (const email of people) await h.bot.handle({ type: 'action', from: { channel: 'console', email }, actionId: 'rsvp:accept', value: WORKSHOP });
    await Promise.all(people.map((email) => h.bot.handle({ type: 'form', from: { channel: 'console', email }, formId: FORM, values: { dieta: 'wege', noclegi: 'n1', transport: 'lowicz' } })));

    const now = h.clock.now();
    const totals = (await registrationTotals(h.db.db, [WORKSHOP], 'pl')).get(WORKSHOP)!;
    const byQuestion = Object.fromEntries(totals.questions.map((q) => [q.question.id, Object.fromEntries(q.options.map((o) => [o.id, o.count]))]));
    // lodz1 (wege, n1, lodz), lowicz1 (zwykla, n1+n2, lowicz), kutno3 (wege, n1+n2, lowicz), kutno5 (wege, n1+n2, lowicz), kutno6 and kutno7 (wege, n1, lowicz).
    expect(byQuestion.dieta).toEqual({ zwykla: 1, wege: 5, weganska: 0 });
    expect(byQuestion.noclegi).toEqual({ n1: 6, n2: 3 });
    expect(byQuestion.transport).toEqual({ lowicz: 5, lodz: 1, wlasny: 0 });
    expect(totals.accepted).toBe(6);

    const page = String(answersPage('pl', '/activities/x', await activityAnswers(h.db.db, now), await registrationTotals(h.db.db, [WORKSHOP], 'pl')).body);
    expect(page).toContain('odpowiedzi 6 osób, które przyjęły zaproszenie');
    expect(page).toContain('<li>wegetariańska: 5</li>');
    expect(page).toContain('<li>11/12 marca: 3</li>');
    expect(page).toContain('<li>autokarem z Łowicza: 5</li>');
    expect(page).toContain('wózek &lt;b&gt;');
    expect(page).toContain('pętla indukcyjna');

    const csv = (await exportRegistrations(h.db.db, WORKSHOP))!;
    expect(csv.startsWith('\uFEFFimię i nazwisko;instytucja;odpowiedź na zaproszenie;Dieta;Noclegi (które noce);Dojazd;Potrzeby dostępności\r\n')).toBe(true);
    expect(csv).toContain(';weźmie udział;wegetariańska;10/11 marca, 11/12 marca;autokarem z Łowicza;wózek <b>\r\n');
    expect(csv).toContain('Dieta;wegetariańska;5\r\n');
    expect(csv).toContain('Dojazd;autokarem z Łowicza;5\r\n');
    expect(csv).toContain('Potrzeby dostępności;odpowiedzi;3\r\n');
  });

  it('a decline removes the person\'s answers; after the deadline changes are refused politely and nothing changes', async () => {
    await h.bot.handle({ type: 'action', from: { channel: 'console', email: 'kutno7@example.org' }, actionId: 'rsvp:decline', value: WORKSHOP });
    expect(await storedAnswers(h.db.db, WORKSHOP, 'kutno7@example.org')).toEqual({});

    // 24 February is the last day: still editable at 23:00 in Warsaw.
    h.clock.set('2027-02-24T22:00:00Z');
    const late = await h.bot.handle({ type: 'form', from: { channel: 'console', email: 'kutno6@example.org' }, formId: FORM, values: { dieta: 'zwykla' } });
    expect(late.title).toBe('Odpowiedzi zapisane');
    h.clock.set('2027-02-24T23:00:01Z');
    const refused = await h.bot.handle({ type: 'form', from: { channel: 'console', email: 'kutno6@example.org' }, formId: FORM, values: { dieta: 'weganska' } });
    expect(refused.title).toBe('Nie zapisano odpowiedzi');
    expect(refused.text).toContain('Termin odpowiedzi już minął');
    expect(await storedAnswers(h.db.db, WORKSHOP, 'kutno6@example.org')).toEqual({ dieta: 'zwykla' });
    const page = await fetch(`${rsvpLinks(h, 'kutno3@example.org')[0]}/registration`, form('dieta=zwykla'));
    expect(page.status).toBe(409);
    expect(await storedAnswers(h.db.db, WORKSHOP, 'kutno3@example.org')).toMatchObject({ dieta: 'wege' });
  });
});
