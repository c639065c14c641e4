import { describe, expect, it } from 'vitest';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { replaceQuestions } from '../../src/registration/questions.js';
import { dialects } from '../support/databases.js';
import { failEachWrite } from '../outbox/each-write.js';
import type { World } from '../outbox/world.js';

const ANNA = 'anna.nowak@example.org';
const TRAINING = 'szkolenie-niebieska-karta-2027-01';
const FORM = `registration:${TRAINING}`;
const LONG = 180_000;
const VALUES = { dieta: 'wege', noclegi: 'n1,n2', dostepnosc: 'pętla indukcyjna' };

const answers = async (w: World) =>
  Object.fromEntries(
    (await w.db.db.selectFrom('registration_answers').select(['question_id', 'value']).where('person_id', '=', await w.personId(ANNA)).where('activity_id', '=', TRAINING).execute()).map((r) => [
      r.question_id,
      r.value,
    ]),
  );
const rsvp = async (w: World) =>
  (await w.db.db.selectFrom('rsvps').select('answer').where('person_id', '=', await w.personId(ANNA)).where('activity_id', '=', TRAINING).executeTakeFirst())?.answer;

/** The demo's training with three questions, Anna invited and coming, and no answers yet. */
async function coming(w: World): Promise<void> {
  const anna = await w.personId(ANNA);
  await w.db.db.transaction().execute((trx) =>
    replaceQuestions(trx, TRAINING, [
      { id: 'dieta', kind: 'choice', label: 'Dieta', required: true, options: [{ id: 'zwykla', label: 'zwykła' }, { id: 'wege', label: 'wegetariańska' }] },
      { id: 'noclegi', kind: 'multi-choice', label: 'Noclegi', required: false, options: [{ id: 'n1', label: '19/20' }, { id: 'n2', label: '20/21' }] },
      { id: 'dostepnosc', kind: 'text', label: 'Potrzeby dostępności', required: false, options: [] },
    ]),
  );
  await w.db.db.insertInto('invitations').values({ activity_id: TRAINING, person_id: anna, sequence: 0, invited_at: w.clock.now() }).onConflict((oc) => oc.doNothing()).execute();
  await w.db.db.deleteFrom('registration_answers').where('person_id', '=', anna).execute();
  await answerInvitation(w.db.db, w.clock, { activityId: TRAINING, personId: anna, answer: 'accepted' });
}

describe.each(dialects)('registration answers with each write failed in turn, then retried, on %s', (kind) => {
  it('saving the answers: all of them or none, never some', async () => {
    await failEachWrite(kind, {
      setup: coming,
      async act(w) {
        await w.bot.handle({ type: 'form', from: { channel: 'console', email: ANNA }, formId: FORM, values: VALUES });
        const stored = await answers(w);
        expect([{}, VALUES]).toContainEqual(stored);
      },
      async settled(w) {
        expect(await answers(w)).toEqual(VALUES);
        expect(await rsvp(w)).toBe('accepted');
      },
    });
  }, LONG);

  it('a decline: the answer and the removal of the registration go together', async () => {
    await failEachWrite(kind, {
      async setup(w) {
        await coming(w);
        await w.bot.handle({ type: 'form', from: { channel: 'console', email: ANNA }, formId: FORM, values: VALUES });
      },
      async act(w) {
        await w.press(ANNA, 'rsvp:decline', TRAINING);
        const state = { answer: await rsvp(w), answers: await answers(w) };
        expect([{ answer: 'accepted', answers: VALUES }, { answer: 'declined', answers: {} }]).toContainEqual(state);
      },
      async settled(w) {
        expect(await rsvp(w)).toBe('declined');
        expect(await answers(w)).toEqual({});
      },
    });
  }, LONG);
});
