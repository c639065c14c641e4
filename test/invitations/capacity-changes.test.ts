import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { createLogger } from '../../src/log.js';
import { ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { connect } from '../../adapters/db/connect.js';
import { dialects } from '../support/databases.js';
import { importFiles, scheduleDir, type ScheduleDir } from '../schedule/support/import-helpers.js';
import { answers, everyone, FIXTURE, fixtureEachTest, personId, WORKSHOP } from './support.js';

describe.each(dialects)('every change of seats, from chat or an import, on %s', (kind) => {
  const fixture = fixtureEachTest(kind);
  const { clock } = fixture;
  let files: ScheduleDir;
  beforeEach(async () => {
    files = await scheduleDir();
  });
  afterEach(async () => files?.remove());

  const answer = async (email: string, a: 'accepted' | 'declined' | 'maybe') =>
    answerInvitation(fixture.db, clock, { activityId: WORKSHOP, personId: await personId(fixture.db, email), answer: a });
  const rcps = (text: string) =>
    new Bot({ db: fixture.db, clock, publicUrl: 'https://koop.example.org', appSecret: 'x'.repeat(40), log: createLogger('silent') }).handle({
      type: 'command',
      from: { channel: 'console', email: 'jan.kowalski@example.org' },
      command: 'warsztaty',
      text,
    });
  /** The fixture again under its own name, with the workshop's seats changed (null: no limit). */
  const importSeats = async (seats: number | null) => {
    const yaml = (await readFile(FIXTURE, 'utf8')).replace('    capacity: 24\n', seats === null ? '' : `    capacity: ${seats}\n`);
    return importFiles(fixture.db, [await files.write('workshop-30.yaml', yaml)], clock);
  };
  const capacity = async () => (await fixture.db.selectFrom('activities').select('capacity').where('id', '=', WORKSHOP).executeTakeFirstOrThrow()).capacity;
  const offered = async () =>
    (await fixture.db.selectFrom('deliveries').innerJoin('people', 'people.id', 'deliveries.person_id').select('people.email').where('dedupe_key', 'like', 'rsvp-offer:%').orderBy('people.email').execute()).map((r) => r.email);

  /** 24 seated, then everyone[24] and [25] waiting; everyone[0] declines, so everyone[24] holds an offer. */
  async function oneOfferPending(): Promise<void> {
    await planInvitations(fixture.db, clock);
    for (const email of everyone.slice(0, 26)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
    await answer(everyone[0]!, 'declined');
    expect(await offered()).toEqual([everyone[24]]);
  }

  it('should refuse `warsztaty miejsca` below the seats accepted and offered, so the offer can still be taken', async () => {
    await oneOfferPending();
    const refused = await rcps(`miejsca ${WORKSHOP} 23`);
    expect(refused.text).toBe(
      'Nie można zmniejszyć liczby miejsc do 23: liczba zajętych miejsc to 24 (potwierdzony udział: 23, propozycje dla osób z listy rezerwowej czekające na odpowiedź: 1). Nic nie zmieniono.',
    );
    expect(await capacity()).toBe(24);
    expect(await answer(everyone[24]!, 'accepted')).toMatchObject({ ok: true, status: 'accepted' });
    expect(await answers(fixture.db)).toMatchObject({ accepted: 24 });
  });

  it('should offer on the seat of an offer that lapsed during a refused `warsztaty miejsca`', async () => {
    await oneOfferPending(); // on Monday 1 February: the offer runs to the end of Wednesday the 3rd
    clock.set('2027-02-04T09:00:00Z'); // lapsed, and no sweep has run yet
    expect((await rcps(`miejsca ${WORKSHOP} 22`)).text).toContain('Nic nie zmieniono');
    expect(await offered()).toEqual([everyone[24], everyone[25]].sort());
  });

  it('should refuse an import below the seats accepted and offered, naming both', async () => {
    await oneOfferPending();
    const error = await importSeats(23).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleInvalidError);
    expect((error as ScheduleInvalidError).problems.map((p) => p.message)).toEqual([
      `23 is below the 24 seats taken at "${WORKSHOP}" (23 accepted, 1 offered to the waiting list and not yet lapsed); set capacity to at least 24`,
    ]);
    expect(await capacity()).toBe(24);
  });

  it('should offer the seats an import adds to the waiting list, in order, each with its message', async () => {
    await planInvitations(fixture.db, clock);
    for (const email of everyone.slice(0, 27)) {
      clock.advance(60_000);
      await answer(email, 'accepted');
    }
    await importSeats(25);
    expect(await offered()).toEqual([everyone[24]]);
    await importSeats(null); // no limit: everyone still waiting is offered a seat
    expect(await offered()).toEqual([everyone[24], everyone[25], everyone[26]].sort());
  });

  it.runIf(kind === 'postgres')('should not let an import lower the seats under an accept that commits while it runs', async () => {
    await planInvitations(fixture.db, clock);
    for (const email of everyone.slice(0, 22)) await answer(email, 'accepted');
    const url = process.env.TEST_DATABASE_URL!;
    const schema = (await fixture.db.selectNoFrom((eb) => eb.fn<string>('current_schema').as('s')).executeTakeFirstOrThrow()).s;
    const other = await connect({ databaseUrl: url, schema, poolSize: 1 });
    try {
      // An accept holding the activity's row lock, as answerInvitation does, not yet committed.
      const accept = await other.db.startTransaction().execute();
      await accept.selectFrom('activities').select('id').where('id', '=', WORKSHOP).forUpdate().execute();
      await accept.insertInto('rsvps').values({ activity_id: WORKSHOP, person_id: await personId(fixture.db, everyone[22]!), answer: 'accepted', answered_at: clock.now() }).execute();
      const importing = importSeats(22).then(() => 'imported', (e: unknown) => e);
      // Wait until the import waits for a lock, then let the accept commit.
      for (let i = 0; i < 200; i++) {
        const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_locks where not granted`.execute(fixture.db);
        if (waiting.rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await accept.commit().execute();
      expect(await importing).toBeInstanceOf(ScheduleInvalidError);
      expect(await capacity()).toBe(24);
    } finally {
      await other.close();
    }
  });
});
