import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock, type Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { Database } from '../../src/db/tables.js';
import { inTransaction } from '../../src/db/transactions.js';
import { changeCapacity } from '../../src/invitations/capacity.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, placeOf, refusalAt, seatsTaken, sweepOffers, waitingList, type Answer, type RsvpOutcome } from '../../src/invitations/rsvp.js';
import { offersCloseAt, settleSeats } from '../../src/invitations/seat-offers.js';
import { forgetRegistration } from '../../src/registration/questions.js';
import { saveRegistration } from '../../src/registration/save-registration.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { importFiles, scheduleDir, type ScheduleDir } from '../schedule/support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';

/**
 * Hostile review of "settle only where it can change anything" (rsvp.ts, answerState): the
 * answer of 6b5c947 (settleSeats before every answer, settleSeats after every freed seat,
 * forgetRegistration on every decline) is kept here verbatim, and two databases play the same
 * random steps, one with each. Besides answers and clock steps, the steps move what decides
 * whether settling can matter: imports lifting the limit (null) and setting it again, moving
 * the start and the RSVP deadline (closing offers, then reopening them), adding and removing
 * registration questions, chat seats, the sweep, and landing exactly on an offer's deadline.
 * After every step both databases must hold the same answers, offers, lapses, waiting list,
 * offer messages and registration answers, and the outcomes must agree.
 */

/** The answer as it was before the change (git show 6b5c947:src/invitations/rsvp.ts). */
async function oldAnswerInvitation(db: Kysely<Database>, clock: Clock, request: { activityId: string; personId: number; answer: Answer }) {
  return inTransaction(db, async (trx) => {
    const now = clock.now();
    const activity = await trx.selectFrom('activities').selectAll().where('id', '=', request.activityId).forUpdate().executeTakeFirst();
    if (!activity) return { ok: false, code: 'unknown_activity' } as const;
    const exists = await trx.selectFrom('invitations').select('person_id').where('activity_id', '=', activity.id).where('person_id', '=', request.personId).executeTakeFirst();
    if (!exists) return { ok: false, code: 'not_invited' } as const;
    await settleSeats(trx, activity, now);
    const current = await trx
      .selectFrom('invitations')
      .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
      .select(['rsvps.answer', 'invitations.offer_expires_at', 'invitations.offer_lapsed_at'])
      .where('invitations.activity_id', '=', activity.id)
      .where('invitations.person_id', '=', request.personId)
      .executeTakeFirstOrThrow();
    const holdsOffer = !!current.offer_expires_at;
    const refusal = refusalAt(activity, now);
    if (refusal && !(refusal === 'closed' && holdsOffer)) return { ok: false, code: refusal } as const;
    const onList = current.answer === 'waiting' && !current.offer_lapsed_at;
    let status: Answer | 'waiting' = request.answer;
    if (request.answer === 'accepted') {
      if (current.answer === 'accepted') return { ok: true, status: 'accepted', unchanged: true } as const;
      const free = holdsOffer || activity.capacity === null || (await seatsTaken(trx, activity.id, now)) < activity.capacity;
      if (!free) status = 'waiting';
      if (status === 'waiting' && onList) return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: true } as const;
    } else if (current.answer === request.answer) {
      return { ok: true, status: request.answer, unchanged: true } as const;
    }
    const listOrder = status === 'waiting' ? sql<string>`nextval('waiting_list_order')` : null;
    await trx
      .insertInto('rsvps')
      .values({ activity_id: activity.id, person_id: request.personId, answer: status, answered_at: now, list_order: listOrder })
      .onConflict((oc) => oc.columns(['activity_id', 'person_id']).doUpdateSet({ answer: status, answered_at: now, list_order: listOrder }))
      .execute();
    if (holdsOffer || current.offer_lapsed_at) {
      await trx.updateTable('invitations').set({ offer_expires_at: null, offer_lapsed_at: null }).where('activity_id', '=', activity.id).where('person_id', '=', request.personId).execute();
    }
    if (current.answer === 'accepted' || holdsOffer) await settleSeats(trx, activity, now);
    if (status === 'declined' || status === 'maybe') await forgetRegistration(trx, activity.id, request.personId);
    if (status === 'waiting') return { ok: true, status, place: await placeOf(trx, activity.id, request.personId), unchanged: false } as const;
    return { ok: true, status, unchanged: false } as const;
  });
}

const PEOPLE = 6;
const ACTIVITY = 'roznica';
const START_CLOCK = '2027-03-22T07:30:00Z';
const emails = Array.from({ length: PEOPLE }, (_, i) => `osoba${i + 1}@example.org`);

interface Shape {
  capacity: number | null;
  starts: string;
  rsvpBy: string | null;
  questions: boolean;
}
const INITIAL: Shape = { capacity: 2, starts: '2027-03-29T09:00', rsvpBy: '2027-03-26', questions: true };

const yaml = (s: Shape) =>
  scheduleYaml({
    teams: [aTeam({ members: emails.map((email, i) => aMember({ name: `Osoba ${i + 1}`, email, role: i === 0 ? 'coordinator' : 'member' })) })],
    activities: [
      anActivity({
        id: ACTIVITY,
        title: 'Warsztaty różnicowe',
        starts: s.starts,
        ends: `${s.starts.slice(0, 10)}T23:00`,
        ...(s.capacity === null ? {} : { capacity: s.capacity }),
        ...(s.rsvpBy ? { rsvp_by: s.rsvpBy } : {}),
        ...(s.questions ? { questions: [{ id: 'dieta', label: 'Dieta', kind: 'text', required: false }] } : {}),
      }),
    ],
  });

class World {
  ids: number[] = [];
  constructor(
    readonly db: Db,
    readonly files: ScheduleDir,
    readonly clock: FixedClock,
  ) {}
  static async open(kind: (typeof dialects)[number], clock: FixedClock) {
    const w = new World(await freshDatabase(kind), await scheduleDir(), clock);
    await w.import(INITIAL);
    await planInvitations(w.db.db, clock);
    const people = await w.db.db.selectFrom('people').select(['id', 'email']).execute();
    w.ids = emails.map((e) => people.find((p) => p.email === e)!.id);
    return w;
  }
  async import(s: Shape): Promise<boolean> {
    const file = await this.files.write('roznica.yaml', yaml(s));
    return importFiles(this.db.db, [file], this.clock).then(
      () => true,
      () => false,
    );
  }
  async reset() {
    const db = this.db.db;
    await sql`delete from rsvps`.execute(db);
    await sql`delete from registration_answers`.execute(db);
    await sql`delete from deliveries`.execute(db);
    await sql`update invitations set offer_expires_at = null, offer_lapsed_at = null`.execute(db);
    this.clock.set(START_CLOCK);
    expect(await this.import(INITIAL)).toBe(true);
  }
  async observe() {
    const db = this.db.db;
    const index = (id: number) => this.ids.indexOf(id);
    const rsvps = await db.selectFrom('rsvps').select(['person_id', 'answer', 'answered_at']).where('activity_id', '=', ACTIVITY).execute();
    const inv = await db.selectFrom('invitations').select(['person_id', 'offer_expires_at', 'offer_lapsed_at']).where('activity_id', '=', ACTIVITY).execute();
    const offers = await db.selectFrom('deliveries').select(['dedupe_key', 'state']).where('dedupe_key', 'like', 'rsvp-offer:%').execute();
    const reg = await db.selectFrom('registration_answers').select(['person_id', 'question_id', 'value']).where('activity_id', '=', ACTIVITY).execute();
    const byId = new Map(this.ids.map((id, i) => [String(id), String(i)]));
    return {
      rsvps: rsvps.map((r) => `${index(r.person_id)}:${r.answer}:${r.answered_at.toISOString()}`).sort(),
      invitations: inv.map((i) => `${index(i.person_id)}:${i.offer_expires_at?.toISOString() ?? '-'}:${i.offer_lapsed_at?.toISOString() ?? '-'}`).sort(),
      list: (await waitingList(db, ACTIVITY)).map((w) => index(w.person_id)),
      offerMessages: offers.map((o) => `${o.dedupe_key.replace(/:(\d+):/, (_, id: string) => `:#${byId.get(id)}:`)}:${o.state}`).sort(),
      registration: reg.map((r) => `${index(r.person_id)}:${r.question_id}:${r.value}`).sort(),
    };
  }
  async close() {
    await this.db.close();
    await this.files.remove();
  }
}

const who = fc.integer({ min: 0, max: PEOPLE - 1 });
const shapeStep = fc.record({
  t: fc.constant('import' as const),
  capacity: fc.constantFrom<number | null>(null, null, 1, 2, 3, 5),
  starts: fc.constantFrom('2027-03-29T09:00', '2027-03-29T09:00', '2027-03-23T09:00', '2027-04-05T09:00'),
  rsvpBy: fc.constantFrom<string | null>(null, '2027-03-22', '2027-03-26', '2027-03-26'),
  questions: fc.boolean(),
});
const step = fc.oneof(
  { weight: 10, arbitrary: fc.record({ t: fc.constant('answer' as const), who, a: fc.constantFrom<Answer>('accepted', 'accepted', 'declined', 'maybe') }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('register' as const), who }) },
  { weight: 4, arbitrary: shapeStep },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('chat' as const), seats: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(3_600_000, 6 * 3_600_000, 24 * 3_600_000) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('edge' as const), at: fc.constantFrom('offer', 'offer', 'offer-1', 'cutoff', 'cutoff-1') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sweep' as const) }) },
);
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/** What the runs exercised, printed with the seed: a differential that never lifts the limit proves little. */
const seen = { answers: 0, importsOk: 0, importsRefused: 0, unlimited: 0, unlimitedWithList: 0, stepsMakingOffers: 0, lapses: 0, registered: 0, closed: 0 };

const strip = (o: RsvpOutcome | Awaited<ReturnType<typeof oldAnswerInvitation>>) => {
  if (!o.ok) return o;
  const { ok, status, unchanged } = o;
  return { ok, status, unchanged, place: 'place' in o ? o.place : undefined };
};

describe.each(dialects)('answers settle only where it matters, against the answer of 6b5c947, on %s', (kind) => {
  const clock = new FixedClock(START_CLOCK);
  let fresh: World;
  let old: World;
  beforeAll(async () => {
    fresh = await World.open(kind, clock);
    old = await World.open(kind, clock);
  }, 120_000);
  afterAll(async () => {
    await fresh?.close();
    await old?.close();
  });

  async function play(steps: Step[]): Promise<void> {
    await fresh.reset();
    await old.reset();
    let shape = INITIAL;
    const log: string[] = [];
    let messagesBefore = 0;
    for (const s of steps) {
      log.push(`${JSON.stringify(s)} at ${clock.now().toISOString()}`);
      if (s.t === 'answer') {
        const a = await answerInvitation(fresh.db.db, clock, { activityId: ACTIVITY, personId: fresh.ids[s.who]!, answer: s.a });
        const b = await oldAnswerInvitation(old.db.db, clock, { activityId: ACTIVITY, personId: old.ids[s.who]!, answer: s.a });
        expect(strip(a), log.join('\n')).toEqual(strip(b));
        seen.answers++;
        if (!a.ok && a.code === 'closed') seen.closed++;
      } else if (s.t === 'register') {
        const values = { dieta: `wege ${clock.now().getTime()}` };
        const a = await saveRegistration(fresh.db.db, clock, { activityId: ACTIVITY, personId: fresh.ids[s.who]!, values, language: 'pl' });
        const b = await saveRegistration(old.db.db, clock, { activityId: ACTIVITY, personId: old.ids[s.who]!, values, language: 'pl' });
        expect(a.ok, log.join('\n')).toBe(b.ok);
        if (a.ok) seen.registered++;
      } else if (s.t === 'import') {
        const next = { capacity: s.capacity, starts: s.starts, rsvpBy: s.rsvpBy, questions: s.questions };
        const a = await fresh.import(next);
        const b = await old.import(next);
        expect(a, log.join('\n')).toBe(b);
        if (a) shape = next;
        seen[a ? 'importsOk' : 'importsRefused']++;
        if (a && next.capacity === null) seen.unlimited++;
      } else if (s.t === 'chat') {
        const run = (w: World) => w.db.db.transaction().execute((trx) => changeCapacity(trx, ACTIVITY, s.seats, clock.now()));
        expect((await run(fresh)).ok, log.join('\n')).toBe((await run(old)).ok);
      } else if (s.t === 'sweep') {
        expect(await sweepOffers(fresh.db.db, clock)).toBe(await sweepOffers(old.db.db, clock));
      } else if (s.t === 'advance') {
        clock.advance(s.ms);
      } else {
        const activity = await fresh.db.db.selectFrom('activities').selectAll().where('id', '=', ACTIVITY).executeTakeFirstOrThrow();
        const offers = await fresh.db.db.selectFrom('invitations').select('offer_expires_at').where('activity_id', '=', ACTIVITY).where('offer_expires_at', 'is not', null).execute();
        const first = Math.min(...offers.map((o) => o.offer_expires_at!.getTime()));
        const cutoff = offersCloseAt(activity).getTime();
        const target = { offer: first, 'offer-1': first - 1, cutoff, 'cutoff-1': cutoff - 1 }[s.at];
        if (Number.isFinite(target) && target > clock.now().getTime()) clock.set(new Date(target));
      }
      const observed = await fresh.observe();
      expect(observed, `${log.join('\n')}\nshape ${JSON.stringify(shape)}`).toEqual(await old.observe());
      if (observed.offerMessages.length > messagesBefore) seen.stepsMakingOffers++;
      messagesBefore = observed.offerMessages.length;
      if (shape.capacity === null && observed.list.length > 0) seen.unlimitedWithList++;
      seen.lapses += observed.invitations.filter((i) => !i.endsWith(':-')).length > 0 ? 1 : 0;
    }
  }

  beforeAll(() => {
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] = 0;
  });

  it('the same answers, offers, lists, messages and registration answers as settling before every answer', async () => {
    const opening = fc.shuffledSubarray([...Array(PEOPLE).keys()], { minLength: 3 }).map((w) => w.map((p) => ({ t: 'answer' as const, who: p, a: 'accepted' as Answer })));
    await checkModel(
      `settle differential on ${kind}`,
      fc.tuple(opening, fc.array(step, { minLength: 5, maxLength: 30 })),
      async ([first, steps]) => play([...first, ...steps]),
      modelRuns(25),
    );
    console.log(`settle differential on ${kind}: ${JSON.stringify(seen)}`);
  }, 600_000);
});
