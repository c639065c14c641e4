import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exporters } from '../../src/export/exports.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, placeOf, sweepOffers } from '../../src/invitations/rsvp.js';
import { dialects } from '../support/databases.js';
import { importFiles, scheduleDir } from '../schedule/support/import-helpers.js';
import { answers, everyone, FIXTURE, fixtureEachTest, personId, WORKSHOP } from './support.js';

/** The fixture's workshop: 24 seats, answers close at the end of Wednesday 24 February 2027, starts 10 March 09:00. */
const CLOSE = '2027-02-24T22:59:59.999Z';
const START = '2027-03-10T08:00:00Z';

describe.each(dialects)('seat offers from the waiting list on %s', (kind) => {
  const fixture = fixtureEachTest(kind);
  const { clock } = fixture;
  const answer = async (email: string, a: 'accepted' | 'declined' | 'maybe') =>
    answerInvitation(fixture.db, clock, { activityId: WORKSHOP, personId: await personId(fixture.db, email), answer: a });
  const invitation = async (email: string) =>
    fixture.db.selectFrom('invitations').selectAll().where('activity_id', '=', WORKSHOP).where('person_id', '=', await personId(fixture.db, email)).executeTakeFirstOrThrow();
  const rsvp = async (email: string) =>
    fixture.db.selectFrom('rsvps').select(['answer', 'answered_at']).where('activity_id', '=', WORKSHOP).where('person_id', '=', await personId(fixture.db, email)).executeTakeFirstOrThrow();
  const offersTo = async (email: string) =>
    (await fixture.db.selectFrom('deliveries').select('id').where('dedupe_key', 'like', 'rsvp-offer:%').where('person_id', '=', await personId(fixture.db, email)).execute()).length;
  const [first, second] = [everyone[24]!, everyone[25]!];

  /** 24 seated, everyone[24] and [25] on the waiting list. */
  async function fullWithTwoWaiting(): Promise<void> {
    await planInvitations(fixture.db, clock);
    for (const email of everyone.slice(0, 26)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
  }

  it('should let an offer made on the last day of answers be taken at any moment until it lapses', async () => {
    await fullWithTwoWaiting();
    clock.set('2027-02-24T09:00:00Z'); // the deadline day, 10:00 in Warsaw
    await answer(everyone[0]!, 'declined');
    const until = (await invitation(first)).offer_expires_at!;
    // Offers never outlive the close of answers, so the promise of the offer and the deadline agree.
    expect(until.getTime()).toBeLessThanOrEqual(new Date(CLOSE).getTime());
    clock.set(new Date(until.getTime() - 1));
    expect(await answer(first, 'accepted')).toMatchObject({ ok: true, status: 'accepted' });
    expect(await answers(fixture.db)).toEqual({ accepted: 24, declined: 1, waiting: 1 });
  });

  it('should export an offer whose time ran out as lapsed even before the sweep has recorded it', async () => {
    await fullWithTwoWaiting();
    clock.set('2027-02-05T09:00:00Z');
    await answer(everyone[0]!, 'declined');
    const until = (await invitation(first)).offer_expires_at!;
    const line = async () => (await exporters.attendance!(fixture.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() })).split('\r\n').find((l) => l.startsWith(`${WORKSHOP};`) && l.includes(';Osoba 5 kutno;'))!;
    clock.set(new Date(until.getTime() - 60_000));
    expect(await line()).toMatch(/;lista rezerwowa;2027-02-01 \d\d:\d\d;do 2027-02-09 23:59;/);
    clock.set(new Date(until.getTime() + 60_000)); // no sweep has run
    expect(await line()).toMatch(/;lista rezerwowa;2027-02-01 \d\d:\d\d;wygasła 2027-02-09 23:59;/);
  });

  it('should record a lapsed offer as "offer lapsed", never as a decline the person did not give', async () => {
    await fullWithTwoWaiting();
    const said = await rsvp(first);
    clock.set('2027-02-05T09:00:00Z');
    await answer(everyone[0]!, 'declined');
    clock.set('2027-02-10T08:00:00Z'); // the offer ran to the end of Tuesday the 9th
    await sweepOffers(fixture.db, clock);
    // Their answer stays what they said; they leave the list and the seat goes to the next.
    expect(await rsvp(first)).toEqual(said);
    expect(await placeOf(fixture.db, WORKSHOP, await personId(fixture.db, first))).toBe(0);
    expect(await placeOf(fixture.db, WORKSHOP, await personId(fixture.db, second))).toBe(1);
    expect((await invitation(second)).offer_expires_at).not.toBeNull();
    const csv = await exporters.attendance!(fixture.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() });
    const line = csv.split('\r\n').find((l) => l.startsWith(`${WORKSHOP};`) && l.includes(';Osoba 5 kutno;'))!;
    expect(csv).toContain(';odpowiedź;data odpowiedzi;oferta miejsca;');
    expect(line).toMatch(/;lista rezerwowa;2027-02-01 \d\d:\d\d;wygasła 2027-02-09 23:59;/);
    expect(csv).not.toContain('nie weźmie udziału;2027-02-10');
    // Accepting again is a new answer: back on the list, at its end.
    clock.set('2027-02-10T09:00:00Z');
    expect(await answer(first, 'accepted')).toMatchObject({ ok: true, status: 'waiting', place: 2, unchanged: false });
    expect(await rsvp(first)).toEqual({ answer: 'waiting', answered_at: new Date('2027-02-10T09:00:00Z') });
  });

  it('should keep the order of joining the list for answers recorded in the same millisecond (found by the model, seed 989066607)', async () => {
    await planInvitations(fixture.db, clock);
    // The clock stands still: every answer below has the same instant.
    for (const email of [...everyone.slice(0, 3), ...everyone.slice(4, 25)]) await answer(email, 'accepted');
    expect(await answer(second, 'accepted')).toMatchObject({ status: 'waiting', place: 1 });
    await answer(everyone[0]!, 'declined');
    expect((await invitation(second)).offer_expires_at).not.toBeNull();
    // lodz4 has a lower id than kutno6 but joined after: behind the one holding the offer.
    expect(await answer(everyone[3]!, 'accepted')).toMatchObject({ status: 'waiting', place: 2 });
    expect(await placeOf(fixture.db, WORKSHOP, await personId(fixture.db, second))).toBe(1);
  });

  it('should keep an offer takeable when an import moves the RSVP deadline before it', async () => {
    await fullWithTwoWaiting();
    clock.set('2027-02-05T09:00:00Z');
    await answer(everyone[0]!, 'declined'); // offered to the first until the end of Tuesday the 9th
    const files = await scheduleDir();
    try {
      const yaml = (await readFile(FIXTURE, 'utf8')).replace('rsvp_by: 2027-02-24', 'rsvp_by: 2027-02-05');
      await importFiles(fixture.db, [await files.write('workshop-30.yaml', yaml)], clock);
    } finally {
      await files.remove();
    }
    clock.set('2027-02-08T09:00:00Z');
    expect(await answer(everyone[26]!, 'accepted')).toEqual({ ok: false, code: 'closed' });
    expect(await answer(first, 'accepted')).toMatchObject({ ok: true, status: 'accepted' });
  });

  it('should offer the seat of someone erased at their request to the first on the list, with its message', async () => {
    await fullWithTwoWaiting();
    expect(await erasePersonalData(fixture.db, await personId(fixture.db, everyone[0]!), clock)).toBe(true);
    expect(await offersTo(first)).toBe(1);
    expect((await invitation(first)).offer_expires_at).not.toBeNull();
  });

  it('should offer nothing once answers are closed, and no sweep after the start invents an answer', async () => {
    await fullWithTwoWaiting();
    clock.set('2027-02-24T09:00:00Z');
    await answer(everyone[0]!, 'declined');
    expect(await offersTo(first)).toBe(1);
    // The offer lapses at the close of answers; the seat is not offered again.
    for (const at of ['2027-02-25T00:00:00Z', '2027-03-09T09:00:00Z', START, '2027-03-10T08:15:00Z', '2027-03-10T08:30:00Z', '2027-03-12T00:00:00Z']) {
      clock.set(at);
      await sweepOffers(fixture.db, clock);
    }
    expect(await offersTo(second)).toBe(0);
    expect(await answers(fixture.db)).toEqual({ accepted: 23, declined: 1, waiting: 2 });
    expect((await rsvp(second)).answer).toBe('waiting');
  });
});
