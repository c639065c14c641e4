import { sql, type Kysely } from 'kysely';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import type { ActivityRow, Database } from '../../src/db/tables.js';
import { changeCapacity } from '../../src/invitations/capacity.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { answerInvitation, sweepOffers, waitingList, type Answer, type RsvpOutcome } from '../../src/invitations/rsvp.js';
import { freshDatabase } from '../support/databases.js';
import { importFiles, scheduleDir, type ScheduleDir } from '../schedule/support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from '../schedule/support/schedule-builder.js';

/**
 * The world of the model-based test of one invitation (seats-model.test.ts): six people invited
 * to an activity of three seats on Monday 29 March 2027, 09:00 in Warsaw, the day after the
 * clocks go forward; one activity has an RSVP deadline (Friday the 26th), one has none. One
 * database per suite, reset between runs (a fresh PostgreSQL schema per run costs seconds).
 */
export const PEOPLE = 6;
export const SEATS = 3;
export const START_CLOCK = '2027-03-22T07:30:00Z'; // Monday 08:30 in Warsaw
export const ACTIVITIES = { deadline: 'z-terminem', open: 'bez-terminu' } as const;
export type Which = keyof typeof ACTIVITIES;

const emails = Array.from({ length: PEOPLE }, (_, i) => `osoba${i + 1}@example.org`);
const schedule = (seats: Record<Which, number | null>) =>
  scheduleYaml({
    teams: [aTeam({ members: emails.map((email, i) => aMember({ name: `Osoba ${i + 1}`, email, role: i === 0 ? 'coordinator' : 'member' })) })],
    activities: (Object.keys(ACTIVITIES) as Which[]).map((which) =>
      anActivity({
        id: ACTIVITIES[which],
        title: `Warsztaty ${which}`,
        starts: '2027-03-29T09:00',
        ends: '2027-03-29T15:00',
        ...(seats[which] === null ? {} : { capacity: seats[which] }),
        ...(which === 'deadline' ? { rsvp_by: '2027-03-26' } : {}),
      }),
    ),
  });

export interface Offer {
  person: number;
  until: Date;
}

/** What the database says about the activity, in the words of the invariants. */
export interface Observed {
  activity: ActivityRow;
  /** Person index → the answer stored. */
  answers: Map<number, string>;
  accepted: number;
  offers: Offer[];
  /** Everyone whose offer is not yet recorded as lapsed, live or past its deadline. */
  offered: Set<number>;
  lapsed: Set<number>;
  /** Person indexes in the order of the waiting list. */
  list: number[];
  /** Pending offer messages per `person:until`. */
  offerMessages: Map<string, number>;
}

export class SeatsWorld {
  readonly clock = new FixedClock(START_CLOCK);
  private ids: number[] = [];
  private constructor(
    private readonly database: Db,
    private readonly files: ScheduleDir,
  ) {}

  static async open(kind: DbKind): Promise<SeatsWorld> {
    const world = new SeatsWorld(await freshDatabase(kind), await scheduleDir());
    await world.importSeats({ deadline: SEATS, open: SEATS });
    await planInvitations(world.db, world.clock);
    const people = await world.db.selectFrom('people').select(['id', 'email']).execute();
    world.ids = emails.map((e) => people.find((p) => p.email === e)!.id);
    return world;
  }

  get db(): Kysely<Database> {
    return this.database.db;
  }

  async close(): Promise<void> {
    await this.database.close();
    await this.files.remove();
  }

  /** Back to the start: no answers, no offers, no messages, three seats each. */
  async reset(): Promise<void> {
    this.clock.set(START_CLOCK);
    await sql`delete from rsvps`.execute(this.db);
    await sql`delete from deliveries`.execute(this.db);
    await sql`update invitations set offer_expires_at = null, offer_lapsed_at = null`.execute(this.db);
    await sql`update activities set capacity = ${SEATS}`.execute(this.db);
  }

  answer(which: Which, person: number, answer: Answer): Promise<RsvpOutcome> {
    return answerInvitation(this.db, this.clock, { activityId: ACTIVITIES[which], personId: this.ids[person]!, answer });
  }

  /** `warsztaty miejsca`: the command is this call in a transaction, and its answer. */
  async chatSeats(which: Which, seats: number): Promise<boolean> {
    return (await this.db.transaction().execute((trx) => changeCapacity(trx, ACTIVITIES[which], seats, this.clock.now()))).ok;
  }

  /** An import of the file with this activity's seats changed (the other keeps three). */
  async importSeats(seats: Partial<Record<Which, number | null>>): Promise<boolean> {
    const file = await this.files.write('seats.yaml', schedule({ deadline: SEATS, open: SEATS, ...seats }));
    return importFiles(this.db, [file], this.clock).then(() => true, () => false);
  }

  sweep(): Promise<number> {
    return sweepOffers(this.db, this.clock);
  }

  async observe(which: Which): Promise<Observed> {
    const id = ACTIVITIES[which];
    const index = (personId: number) => this.ids.indexOf(personId);
    const activity = await this.db.selectFrom('activities').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const rsvps = await this.db.selectFrom('rsvps').select(['person_id', 'answer']).where('activity_id', '=', id).execute();
    const invitations = await this.db.selectFrom('invitations').selectAll().where('activity_id', '=', id).execute();
    const now = this.clock.now();
    const messages = await this.db.selectFrom('deliveries').select('payload').where('dedupe_key', 'like', `rsvp-offer:${id}:%`).execute();
    const offerMessages = new Map<string, number>();
    for (const { payload } of messages) {
      const key = `${index(Number((payload as { personId: string }).personId))}:${(payload as { until: string }).until}`;
      offerMessages.set(key, (offerMessages.get(key) ?? 0) + 1);
    }
    return {
      activity,
      answers: new Map(rsvps.map((r) => [index(r.person_id), r.answer])),
      accepted: rsvps.filter((r) => r.answer === 'accepted').length,
      // An offer past its deadline is lapsed whether or not a sweep has recorded it yet.
      offers: invitations.filter((i) => i.offer_expires_at && i.offer_expires_at > now).map((i) => ({ person: index(i.person_id), until: i.offer_expires_at! })),
      offered: new Set(invitations.filter((i) => i.offer_expires_at).map((i) => index(i.person_id))),
      lapsed: new Set(invitations.filter((i) => i.offer_lapsed_at).map((i) => index(i.person_id))),
      list: (await waitingList(this.db, id)).map((w) => index(w.person_id)),
      offerMessages,
    };
  }
}
