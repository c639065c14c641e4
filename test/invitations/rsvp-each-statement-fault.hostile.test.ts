import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, type Answer } from '../../src/invitations/rsvp.js';
import { saveRegistration } from '../../src/registration/save-registration.js';
import { importWithQuestions } from '../registration/support.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, InjectedFault, type FaultyDb } from '../support/faults.js';
import { everyone, personId, WORKSHOP } from './support.js';

/**
 * Hostile review of the one-read answer: every statement of an answer (the lock, the one read,
 * settling, the answer's writes, the offer and its message, forgetting registration answers,
 * begin and commit) failed in turn, not only the writes (rsvp-faults.test.ts). A failed statement
 * leaves the database as it was; the answer then runs whole, with one message per offer made.
 */
describe.each(dialects)('an answer with each statement failed in turn on %s', (kind) => {
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  let faulty: FaultyDb;
  const db = () => faulty.db.db;
  const answer = async (email: string, a: Answer) => answerInvitation(db(), clock, { activityId: WORKSHOP, personId: await personId(db(), email), answer: a });

  beforeAll(async () => {
    faulty = await faultyDatabase(kind);
    await importWithQuestions(db(), clock);
    await planInvitations(db(), clock);
    for (const email of everyone.slice(0, 27)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
  }, 120_000);
  afterAll(async () => faulty?.db.close());

  const state = async () => ({
    rsvps: await db().selectFrom('rsvps').selectAll().orderBy('person_id').execute(),
    invitations: await db().selectFrom('invitations').selectAll().where('activity_id', '=', WORKSHOP).orderBy('person_id').execute(),
    registration: await db().selectFrom('registration_answers').selectAll().orderBy('person_id').orderBy('question_id').execute(),
    deliveries: await db().selectFrom('deliveries').select(['dedupe_key', 'payload', 'state']).orderBy('id').execute(),
  });

  async function failEachStatement(flow: () => Promise<unknown>): Promise<number> {
    for (let n = 1; ; n++) {
      const before = await state();
      faulty.faults.clearRules();
      faulty.faults.failNth(n);
      const failed = await flow().then(
        () => false,
        (e: unknown) => (e instanceof InjectedFault ? true : Promise.reject(e)),
      );
      faulty.faults.clearRules();
      if (!failed) return n - 1;
      expect(await state(), `statement ${n} failed`).toEqual(before);
    }
  }

  const offerMessages = async () => (await state()).deliveries.filter((d) => d.dedupe_key.startsWith('rsvp-offer:')).map((d) => (d.payload as { personId: string }).personId);
  const offered = async () => (await state()).invitations.filter((i) => i.offer_expires_at).map((i) => String(i.person_id));

  it('a decline with registration answers that frees a seat', async () => {
    clock.set('2027-02-05T09:00:00Z');
    const id = await personId(db(), everyone[0]!);
    const saved = await saveRegistration(db(), clock, { activityId: WORKSHOP, personId: id, values: { dieta: 'wege', noclegi: 'n1', transport: 'lodz' }, language: 'pl' });
    expect(saved.ok, JSON.stringify(saved)).toBe(true);
    expect(await failEachStatement(() => answer(everyone[0]!, 'declined'))).toBeGreaterThanOrEqual(5);
    expect((await state()).registration.filter((r) => r.person_id === id)).toEqual([]);
    expect(await offerMessages()).toEqual(await offered());
    expect(await offered()).toHaveLength(1);
  }, 300_000);

  it('an answer that first lapses an overdue offer and offers the seat on, then waits', async () => {
    clock.set('2027-02-10T08:00:00Z'); // the offer of the 5th ended on the 9th
    expect(await failEachStatement(() => answer(everyone[27]!, 'accepted'))).toBeGreaterThanOrEqual(5);
    const s = await state();
    expect(s.invitations.filter((i) => i.offer_lapsed_at)).toHaveLength(1);
    expect(await offered()).toHaveLength(1);
    expect((await offerMessages()).slice(-1)).toEqual(await offered());
  }, 300_000);

  it('the offer taken', async () => {
    const [holder] = await offered();
    const email = (await db().selectFrom('people').select('email').where('id', '=', Number(holder)).executeTakeFirstOrThrow()).email!;
    expect(await failEachStatement(() => answer(email, 'accepted'))).toBeGreaterThanOrEqual(3);
    expect(await offered()).toEqual([]);
  }, 300_000);
});
