import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { changeCapacity } from '../../src/invitations/capacity.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, sweepOffers, type Answer } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, InjectedFault, type FaultyDb } from '../support/faults.js';
import { importFiles, scheduleDir, type ScheduleDir } from '../schedule/support/import-helpers.js';
import { everyone, FIXTURE, importFixture, personId, WORKSHOP } from './support.js';

/**
 * The outbox of answers, offers and changes of seats: each write of a flow is failed in turn
 * (a failed write rolls back the whole transaction, so the database is as before and the same
 * database serves the next attempt), then the flow runs whole. Never a change stored without its
 * messages, and every offer made has exactly one message.
 */
describe.each(dialects)('answers, offers and seats with each write failed in turn on %s', (kind) => {
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  let faulty: FaultyDb;
  let files: ScheduleDir;
  const db = () => faulty.db.db;
  const answer = async (email: string, a: Answer) => answerInvitation(db(), clock, { activityId: WORKSHOP, personId: await personId(db(), email), answer: a });

  beforeAll(async () => {
    faulty = await faultyDatabase(kind);
    files = await scheduleDir();
    await importFixture(db(), clock);
    await planInvitations(db(), clock);
    for (const email of everyone.slice(0, 26)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
  }, 120_000);
  afterAll(async () => {
    await faulty?.db.close();
    await files?.remove();
  });

  /** What the flows change: answers, offers, seats and the outbox. */
  const state = async () => ({
    rsvps: await db().selectFrom('rsvps').selectAll().orderBy('person_id').execute(),
    invitations: await db().selectFrom('invitations').selectAll().where('activity_id', '=', WORKSHOP).orderBy('person_id').execute(),
    capacity: (await db().selectFrom('activities').select('capacity').where('id', '=', WORKSHOP).executeTakeFirstOrThrow()).capacity,
    deliveries: await db().selectFrom('deliveries').select(['dedupe_key', 'payload', 'state']).orderBy('id').execute(),
  });

  type State = Awaited<ReturnType<typeof state>>;

  /** Each offer the flow made has exactly one message, naming its deadline, and no message is for an offer not made. */
  function oneMessagePerOffer(before: State, after: State): void {
    const heldBefore = new Map(before.invitations.map((i) => [i.person_id, i.offer_expires_at?.toISOString()]));
    const made = after.invitations
      .filter((i) => i.offer_expires_at && heldBefore.get(i.person_id) !== i.offer_expires_at.toISOString())
      .map((i) => `${i.person_id}:${i.offer_expires_at!.toISOString()}`);
    const known = new Set(before.deliveries.map((d) => d.dedupe_key));
    const messages = after.deliveries
      .filter((d) => d.dedupe_key.startsWith('rsvp-offer:') && !known.has(d.dedupe_key))
      .map((d) => `${(d.payload as { personId: string }).personId}:${(d.payload as { until: string }).until}`);
    expect(messages.sort()).toEqual(made.sort());
  }

  /** Fails write 1, 2, … of the flow until it runs whole; returns how many writes it makes. */
  async function failEachWrite(flow: () => Promise<unknown>): Promise<number> {
    for (let n = 1; ; n++) {
      const before = await state();
      faulty.faults.clearRules();
      faulty.faults.failNth(n, { writesOnly: true });
      const failed = await flow().then(() => false, (e: unknown) => (e instanceof InjectedFault ? true : Promise.reject(e)));
      faulty.faults.clearRules();
      if (!failed) {
        oneMessagePerOffer(before, await state());
        return n - 1;
      }
      expect(await state(), `write ${n} failed`).toEqual(before);
    }
  }

  it('a decline that frees a seat: the answer, the offer and its message together or not at all', async () => {
    clock.set('2027-02-05T09:00:00Z');
    expect(await failEachWrite(() => answer(everyone[0]!, 'declined'))).toBeGreaterThanOrEqual(4);
    expect((await state()).deliveries.filter((d) => d.dedupe_key.startsWith('rsvp-offer:'))).toHaveLength(1);
  }, 120_000);

  it('an offer taken', async () => {
    expect(await failEachWrite(() => answer(everyone[24]!, 'accepted'))).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('a lapsed offer moving on to the next person, from the sweep', async () => {
    await answer(everyone[1]!, 'declined'); // everyone[25] is offered a seat until Tuesday the 9th
    clock.set('2027-02-10T08:00:00Z');
    expect(await failEachWrite(() => sweepOffers(db(), clock))).toBeGreaterThanOrEqual(1);
    expect((await state()).invitations.filter((i) => i.offer_lapsed_at)).toHaveLength(1);
  }, 120_000);

  it('more seats from chat, offered with their messages', async () => {
    await answer(everyone[26]!, 'accepted'); // takes the seat nobody was left to be offered
    await answer(everyone[27]!, 'accepted'); // waits
    expect(await failEachWrite(() => db().transaction().execute((trx) => changeCapacity(trx, WORKSHOP, 25, clock.now())))).toBeGreaterThanOrEqual(3);
    expect((await state()).invitations.filter((i) => i.offer_expires_at)).toHaveLength(1);
  }, 120_000);

  it('more seats from an import, offered with their messages', async () => {
    await answer(everyone[28]!, 'accepted');
    await answer(everyone[29]!, 'accepted');
    const yaml = (await readFile(FIXTURE, 'utf8')).replace('    capacity: 24\n', '    capacity: 26\n');
    const file = await files.write('workshop-30.yaml', yaml);
    expect(await failEachWrite(() => importFiles(db(), [file], clock))).toBeGreaterThanOrEqual(3);
    expect((await state()).capacity).toBe(26);
    expect((await state()).invitations.filter((i) => i.offer_expires_at)).toHaveLength(2);
  }, 120_000);
});
