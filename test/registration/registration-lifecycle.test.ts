import { describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { exportRegistrations } from '../../src/export/registrations-export.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createLogger } from '../../src/log.js';
import type { Message } from '../../src/ports/channel.port.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';
import { purgeExpired } from '../../src/privacy/retention.js';
import { registrationTotals } from '../../src/registration/totals.js';
import { fixtureEachTest, personId, WORKSHOP } from '../invitations/support.js';
import { dialects } from '../support/databases.js';
import { importWithQuestions, QUESTIONS, storedAnswers, withQuestions } from './support.js';

const FORM = `registration:${WORKSHOP}`;
const log = createLogger('silent');
const ANNA = 'lodz5@example.org';
const BOB = 'lodz6@example.org';

describe.each(dialects)('registration answers: changed questions, erasure, retention, the chat form, on %s', (kind) => {
  const f = fixtureEachTest(kind);
  const bot = () => new Bot({ db: f.db, clock: f.clock, publicUrl: 'https://koop.example.org', appSecret: 's'.repeat(40), log });
  const from = (email: string) => ({ channel: 'console' as const, email });
  const register = async (email: string, values: Record<string, string>) => {
    await bot().handle({ type: 'action', from: from(email), actionId: 'rsvp:accept', value: WORKSHOP });
    return bot().handle({ type: 'form', from: from(email), formId: FORM, values });
  };
  const ready = async () => {
    await importWithQuestions(f.db, f.clock);
    await planInvitations(f.db, f.clock);
    expect((await register(ANNA, { dieta: 'weganska', noclegi: 'n1', transport: 'lodz', dostepnosc: 'winda' })).title).toBe('Odpowiedzi zapisane');
    await register(BOB, { dieta: 'wege', transport: 'lowicz' });
  };

  it('a question removed from the file goes with its answers at import; the import says how many', async () => {
    await ready();
    const summary = await importWithQuestions(f.db, f.clock, withQuestions(QUESTIONS.replace(/      - id: transport[\s\S]*?(?=      - id: dostepnosc)/, '')));
    expect(summary.questions.removed).toBe(1);
    expect(summary.registrationAnswersRemoved).toBe(2);
    expect(await storedAnswers(f.db, WORKSHOP, ANNA)).toEqual({ dieta: 'weganska', noclegi: 'n1', dostepnosc: 'winda' });
    // The same file again changes nothing.
    const again = await importWithQuestions(f.db, f.clock, withQuestions(QUESTIONS.replace(/      - id: transport[\s\S]*?(?=      - id: dostepnosc)/, '')));
    expect(again.changed).toBe(false);
  });

  it('an option removed: the answer stays as said, is shown to RCPS as no longer valid, left out of the totals and asked again', async () => {
    await ready();
    await importWithQuestions(f.db, f.clock, withQuestions(QUESTIONS.replace('          - { id: weganska, label: wegańska, label_en: vegan }\n', '')));
    expect(await storedAnswers(f.db, WORKSHOP, ANNA)).toMatchObject({ dieta: 'weganska' });
    const totals = (await registrationTotals(f.db, [WORKSHOP], 'pl')).get(WORKSHOP)!;
    const diet = totals.questions.find((q) => q.question.id === 'dieta')!;
    expect(diet.options.map((o) => [o.id, o.count])).toEqual([['zwykla', 0], ['wege', 1]]);
    expect(diet.invalid).toBe(1);
    expect(await exportRegistrations(f.db, WORKSHOP)).toContain(';nieaktualna: weganska;');
    // The form opens without the stale choice (the required question must be answered anew); the others keep theirs.
    const form = (await bot().handle({ type: 'action', from: from(ANNA), actionId: 'rsvp:accept', value: WORKSHOP })).form!;
    expect(form.fields.find((x) => x.id === 'dieta')!.value).toBeUndefined();
    expect(form.fields.find((x) => x.id === 'transport')!.value).toBe('lodz');
  });

  it('erasure: shown by moje-dane and the JSON export, then erased with the person', async () => {
    await ready();
    const anna = await personId(f.db, ANNA);
    const data = await collectPersonalData(f.db, anna, f.clock);
    expect(data.parts.registration_answers).toEqual(
      expect.arrayContaining([expect.objectContaining({ activity_id: WORKSHOP, question: 'Dieta', answer: 'wegańska' }), expect.objectContaining({ question: 'Potrzeby dostępności', answer: 'winda' })]),
    );
    const summary: Message = await bot().handle({ type: 'command', from: from(ANNA), command: 'moje-dane', text: '' });
    expect(summary.text).toContain('Pytania rejestracyjne wydarzeń: 4 odpowiedzi');
    expect(await erasePersonalData(f.db, anna, f.clock)).toBe(true);
    expect(await f.db.selectFrom('registration_answers').select('person_id').where('person_id', '=', anna).execute()).toEqual([]);
    expect(await storedAnswers(f.db, WORKSHOP, BOB)).toEqual({ dieta: 'wege', transport: 'lowicz' });
  });

  it('retention: answers go once the activity ended longer ago than the retention period, not before', async () => {
    await ready();
    // The workshop ends on 11 March 2027; 12 months later, on 10 March 2028, the answers are kept.
    f.clock.set('2028-03-10T12:00:00Z');
    expect((await purgeExpired(f.db, f.clock, 12)).registration_answers).toBe(0);
    f.clock.set('2028-03-12T12:00:00Z');
    expect((await purgeExpired(f.db, f.clock, 12)).registration_answers).toBe(6);
    expect(await storedAnswers(f.db, WORKSHOP, ANNA)).toEqual({});
  });

  it('`warsztaty nowe`: RCPS types the questions one a line; a bad line is refused under its field and creates nothing', async () => {
    const rcps = from('jan.kowalski@example.org');
    const values = { title: 'Wyjazd studyjny', kind: 'workshop', starts: '2027-04-12 09:00', ends: '2027-04-13 15:00', audience: 'lowicz' };
    const bad = await bot().handle({ type: 'form', from: rcps, formId: 'activity-new', values: { ...values, questions: 'dieta*: Dieta = zwykła; wegetariańska\nNoclegi' } });
    expect(bad.formError).toEqual({ fieldId: 'questions', text: expect.stringContaining('wiersz 2') });
    expect(await f.db.selectFrom('activities').select('id').where('title', '=', 'Wyjazd studyjny').execute()).toEqual([]);

    const made = await bot().handle({
      type: 'form',
      from: rcps,
      formId: 'activity-new',
      values: { ...values, questions: 'dieta*: Dieta = zwykła; wegetariańska\nnoclegi: Noclegi += 12/13 kwietnia\ntransport: Dojazd = z Łowicza; własny\ndostepnosc: Potrzeby dostępności' },
    });
    expect(made.formError).toBeUndefined();
    const questions = await f.db.selectFrom('activity_questions').innerJoin('activities', 'activities.id', 'activity_questions.activity_id').select(['question_id', 'activity_questions.kind', 'required', 'options']).where('activities.title', '=', 'Wyjazd studyjny').orderBy('position').execute();
    expect(questions.map((q) => [q.question_id, q.kind, q.required])).toEqual([
      ['dieta', 'choice', true],
      ['noclegi', 'multi-choice', false],
      ['transport', 'choice', false],
      ['dostepnosc', 'text', false],
    ]);
    expect(JSON.parse(questions[2]!.options)).toEqual([{ id: 'z-lowicza', label: 'z Łowicza' }, { id: 'wlasny', label: 'własny' }]);
  });

  it('asks only people who said they will come: "maybe" is refused and removes answers given before', async () => {
    await ready();
    await bot().handle({ type: 'action', from: from(ANNA), actionId: 'rsvp:maybe', value: WORKSHOP });
    expect(await storedAnswers(f.db, WORKSHOP, ANNA)).toEqual({});
    const refused = await bot().handle({ type: 'form', from: from(ANNA), formId: FORM, values: { dieta: 'wege' } });
    expect(refused.text).toContain('Prosimy najpierw wybrać „Wezmę udział”');
    expect(await storedAnswers(f.db, WORKSHOP, ANNA)).toEqual({});
  });
});
