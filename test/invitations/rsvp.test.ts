import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, placeOf, sweepOffers } from '../../src/invitations/rsvp.js';
import { connect } from '../../adapters/db/connect.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { answers, everyone, importFixture, personId, WORKSHOP } from './support.js';

describe.each(dialects)('answers, seats and the waiting list on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const answer = async (email: string, a: 'accepted' | 'declined' | 'maybe', activityId = WORKSHOP) =>
    answerInvitation(db.db, clock, { activityId, personId: await personId(db.db, email), answer: a });

  beforeEach(async () => {
    clock.set('2027-02-01T09:00:00Z');
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
  });
  afterEach(async () => db?.close());

  it('should invite everyone of the audience once, with one delivery each, however often it is planned', async () => {
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 30 + 10, updated: 0 });
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 0 });
    const rows = await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', 'invitation').where('dedupe_key', 'like', `invite:${WORKSHOP}:%`).execute();
    expect(rows).toHaveLength(30);
  });

  it('should seat 24, put the next 6 on the waiting list in order of answer and tell each their place', async () => {
    await planInvitations(db.db, clock);
    const places: number[] = [];
    for (const email of everyone) {
      clock.advance(60_000);
      const outcome = await answer(email, 'accepted');
      if (outcome.ok && outcome.status === 'waiting') places.push(outcome.place);
      else expect(outcome).toMatchObject({ ok: true, status: 'accepted' });
    }
    expect(places).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await answers(db.db)).toEqual({ accepted: 24, waiting: 6 });
  });

  it('should count a double click on accept as one answer', async () => {
    await planInvitations(db.db, clock);
    expect(await answer(everyone[0]!, 'accepted')).toMatchObject({ ok: true, status: 'accepted', unchanged: false });
    expect(await answer(everyone[0]!, 'accepted')).toMatchObject({ ok: true, status: 'accepted', unchanged: true });
    expect(await answers(db.db)).toEqual({ accepted: 1 });
  });

  it('should refuse an answer for an activity the person was not invited to, and change nothing', async () => {
    await planInvitations(db.db, clock);
    expect(await answer('kutno1@example.org', 'accepted', 'szkolenie-lodz')).toEqual({ ok: false, code: 'not_invited' });
    expect(await answers(db.db, 'szkolenie-lodz')).toEqual({});
  });

  it('should close answers politely after the RSVP deadline and for an activity that has begun', async () => {
    await planInvitations(db.db, clock);
    clock.set('2027-02-24T22:59:00Z'); // 23:59 in Warsaw on the deadline day: still open
    expect(await answer(everyone[0]!, 'maybe')).toMatchObject({ ok: true, status: 'maybe' });
    clock.set('2027-02-25T00:00:00Z');
    expect(await answer(everyone[1]!, 'accepted')).toEqual({ ok: false, code: 'closed' });
    clock.set('2027-03-20T09:00:00Z');
    expect(await answer('lodz1@example.org', 'accepted', 'szkolenie-lodz')).toEqual({ ok: false, code: 'past' });
  });

  it('should offer a freed seat to the first on the list with a deadline of two working days, then move on when it lapses', async () => {
    await planInvitations(db.db, clock);
    for (const email of everyone.slice(0, 26)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
    const [first, second] = [everyone[24]!, everyone[25]!];
    expect(await placeOf(db.db, WORKSHOP, await personId(db.db, first))).toBe(1);

    // Friday 2027-02-05 10:00 Warsaw: two working days later is Tuesday the 9th, end of day.
    clock.set('2027-02-05T09:00:00Z');
    expect(await answer(everyone[0]!, 'declined')).toMatchObject({ ok: true, status: 'declined' });
    const offer = await db.db.selectFrom('invitations').select('offer_expires_at').where('person_id', '=', await personId(db.db, first)).where('activity_id', '=', WORKSHOP).executeTakeFirstOrThrow();
    expect(offer.offer_expires_at?.toISOString()).toBe('2027-02-09T22:59:59.999Z');
    const offers = await db.db.selectFrom('deliveries').select(['person_id', 'payload']).where('dedupe_key', 'like', 'rsvp-offer:%').execute();
    expect(offers.map((o) => o.person_id)).toEqual([await personId(db.db, first)]);
    // The held seat counts: someone else accepting now waits.
    expect(await answer(everyone[26]!, 'accepted')).toMatchObject({ status: 'waiting', place: 3 });

    // The offer lapses unanswered: the first leaves the list (their answer is kept), the second gets the seat.
    clock.set('2027-02-10T08:00:00Z');
    expect(await sweepOffers(db.db, clock)).toBe(1);
    expect(await answers(db.db)).toMatchObject({ accepted: 23, declined: 1, waiting: 3 });
    expect(await placeOf(db.db, WORKSHOP, await personId(db.db, first))).toBe(0);
    const secondOffer = await db.db.selectFrom('invitations').select('offer_expires_at').where('person_id', '=', await personId(db.db, second)).where('activity_id', '=', WORKSHOP).executeTakeFirstOrThrow();
    expect(secondOffer.offer_expires_at).not.toBeNull();
    // The second confirms within the deadline and is seated.
    expect(await answer(second, 'accepted')).toMatchObject({ ok: true, status: 'accepted' });
    expect(await answers(db.db)).toMatchObject({ accepted: 24, waiting: 2 });
    expect(await placeOf(db.db, WORKSHOP, await personId(db.db, everyone[26]!))).toBe(1);
  });

  it.runIf(kind === 'postgres')('should never give the last seat twice when accepts arrive at the same moment', async () => {
    await planInvitations(db.db, clock);
    for (const email of everyone.slice(0, 23)) await answer(email, 'accepted');
    // Separate connections, so the transactions truly overlap on the server.
    const url = process.env.TEST_DATABASE_URL!;
    const schema = (await db.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s;
    const others = await Promise.all(everyone.slice(23).map(() => connect({ databaseUrl: url, schema, poolSize: 1 })));
    try {
      const ids = await Promise.all(everyone.slice(23).map((e) => personId(db.db, e)));
      const outcomes = await Promise.all(ids.map((id, i) => answerInvitation(others[i]!.db, clock, { activityId: WORKSHOP, personId: id, answer: 'accepted' })));
      expect(outcomes.filter((o) => o.ok && o.status === 'accepted')).toHaveLength(1);
      // The injected clock gives every answer the same instant, so places follow commit order; each is on the list.
      for (const o of outcomes.filter((o) => o.ok && o.status === 'waiting')) expect((o as { place: number }).place).toBeGreaterThanOrEqual(1);
      expect(await answers(db.db)).toEqual({ accepted: 24, waiting: 6 });
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
  });
});
