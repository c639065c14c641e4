import fc from 'fast-check';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offersCloseAt } from '../../src/invitations/seat-offers.js';
import { rsvpClosesAt } from '../../src/invitations/invitation-timing.js';
import { dialects } from '../support/databases.js';
import { PEOPLE, SeatsWorld, type Observed, type Which } from './seats-world.js';

/**
 * Model-based test of one invitation (docs/invitations.md, "Invariants"): random answers, changes
 * of answer, seats up and down from chat and import, offers made, taken and lapsing, and the clock
 * stepping across offer deadlines, the close of answers, the offer cut-off, the clock change of
 * 28 March 2027 and the start. After every step, in the README's words:
 *  - never more accepted than seats (nor accepted and offered);
 *  - an answer is only what the person said;
 *  - every offer made can be taken until it lapses (taking it works; it never vanishes early);
 *  - the waiting list keeps its order, and offers go to its head.
 * FC_SEED and FC_RUNS repeat a run; the seed is printed.
 */
const MINUTE = 60_000;
const person = fc.integer({ min: 0, max: PEOPLE - 1 });
const step = fc.oneof(
  { weight: 8, arbitrary: fc.record({ t: fc.constant('answer' as const), who: person, a: fc.constantFrom('accepted' as const, 'accepted' as const, 'declined' as const, 'maybe' as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('take' as const), who: person }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('chat' as const), seats: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('import' as const), seats: fc.option(fc.integer({ min: 1, max: 6 }), { nil: null }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.constantFrom(15 * MINUTE, 60 * MINUTE, 6 * 60 * MINUTE, 24 * 60 * MINUTE) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('edge' as const), at: fc.constantFrom('offer-1', 'offer', 'offer-1', 'offer', 'cutoff-1', 'cutoff', 'start-1', 'start+15') }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sweep' as const) }) },
);
/** The run opens with some of the people accepting, so the waiting list is usually not empty. */
const opening = fc.shuffledSubarray([...Array(PEOPLE).keys()], { minLength: 3 }).map((who) => who.map((w) => ({ t: 'answer' as const, who: w, a: 'accepted' as const })));
type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/** What the runs exercised, printed with the seed: a model that never lapses an offer proves little. */
const seen = { offersMade: 0, offersTaken: 0, offersLapsed: 0, seatsRefused: 0, answersClosed: 0, afterStart: 0 };

const runs = modelRuns(30);

describe.each(dialects)('one invitation, model-based, on %s', (kind) => {
  let world: SeatsWorld;
  beforeAll(async () => {
    world = await SeatsWorld.open(kind);
  }, 60_000);
  afterAll(async () => world?.close());

  it('keeps the seat rules through any sequence of answers, changes of seats and clock steps', async () => {
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] = 0;
    await checkModel(
      `seats model on ${kind}`,
      fc.tuple(fc.constantFrom<Which>('deadline', 'open'), opening, fc.array(step, { minLength: 5, maxLength: 30 })),
      async ([which, first, steps]) => {
        await world.reset();
        await new Run(world, which).play([...first, ...steps]);
      },
      runs,
    );
    console.log(`seats model on ${kind}: ${JSON.stringify(seen)}`);
  }, 120_000);
});

/** One run: plays the steps, keeping the model (what each person said, the list's order) beside the database. */
class Run {
  /** Status the person's last answer was given (accepted, waiting, declined, maybe). */
  private said = new Map<number, string>();
  /** The waiting list in the order the people joined it. */
  private list: number[] = [];
  private capacity: number | null = 3;
  /** Whether the step ran the seat rules (an answer, a change of seats not rolled back). */
  private settled = false;
  private before!: Observed;

  constructor(
    private readonly world: SeatsWorld,
    private readonly which: Which,
  ) {}

  async play(steps: Step[]): Promise<void> {
    this.before = await this.world.observe(this.which);
    for (const s of steps) {
      this.settled = false;
      const answered = await this.apply(s);
      await this.check(s, answered);
    }
  }

  private async apply(s: Step): Promise<number | undefined> {
    const { world, which } = this;
    const now = world.clock.now().getTime();
    const activity = this.before.activity;
    if (s.t === 'answer' || s.t === 'take') {
      const offers = this.before.offers;
      const who = s.t === 'take' ? offers[s.who % Math.max(1, offers.length)]?.person : s.who;
      if (who === undefined) return undefined;
      const answer = s.t === 'take' ? 'accepted' : s.a;
      const holds = offers.some((o) => o.person === who);
      this.settled = true;
      const outcome = await world.answer(which, who, answer);
      if (holds && answer === 'accepted') seen.offersTaken++;
      if (!outcome.ok) seen[outcome.code === 'closed' ? 'answersClosed' : 'afterStart']++;
      if (holds && answer === 'accepted') expect(outcome, 'an offer made can be taken until it lapses').toMatchObject({ ok: true, status: 'accepted' });
      if (!outcome.ok) {
        const closes = rsvpClosesAt(activity);
        if (outcome.code === 'closed') expect(!!closes && now > closes.getTime() && !holds).toBe(true);
        else expect(outcome.code).toBe('past');
        return undefined;
      }
      if (outcome.status !== 'waiting') this.list = this.list.filter((p) => p !== who);
      else if (!outcome.unchanged) this.list = [...this.list.filter((p) => p !== who), who];
      this.said.set(who, outcome.status);
      return who;
    }
    if (s.t === 'chat' || s.t === 'import') {
      const held = this.before.accepted + this.before.offers.length;
      const ok = s.t === 'chat' ? await world.chatSeats(which, s.seats) : await world.importSeats({ [which]: s.seats });
      if (s.seats === null || s.seats >= held) expect(ok, `${s.t} to ${s.seats} seats with ${held} held`).toBe(true);
      if (ok) this.capacity = s.seats;
      else seen.seatsRefused++;
      // A refused import is rolled back whole; a refused command still settles what lapsed.
      this.settled = ok || s.t === 'chat';
      return undefined;
    }
    if (s.t === 'sweep') return void (await world.sweep());
    if (s.t === 'advance') return void world.clock.advance(s.ms);
    const target = edge(s.at, this.before);
    if (target !== undefined && target > now) world.clock.set(new Date(target));
    return undefined;
  }

  private async check(s: Step, answered: number | undefined): Promise<void> {
    const after = await this.world.observe(this.which);
    const now = this.world.clock.now();
    const where = `after ${JSON.stringify(s)} at ${now.toISOString()}`;
    expect(after.activity.capacity, where).toBe(this.capacity);
    // Never more accepted than seats, counting the seats offered.
    if (this.capacity !== null) expect(after.accepted + after.offers.length, where).toBeLessThanOrEqual(this.capacity);
    // An answer is only what the person said.
    expect(Object.fromEntries(after.answers), where).toEqual(Object.fromEntries(this.said));
    // An offer ends only by its deadline or the person's own answer; a lapse takes them off the list.
    for (const offer of this.before.offers) {
      if (after.offers.some((o) => o.person === offer.person) || offer.person === answered) continue;
      expect(offer.until.getTime(), `${where}: offer to ${offer.person} vanished early`).toBeLessThanOrEqual(now.getTime());
    }
    for (const p of after.lapsed) {
      if (this.before.lapsed.has(p)) continue;
      seen.offersLapsed++;
      expect(this.before.offered.has(p), `${where}: ${p} lapsed without an offer`).toBe(true);
    }
    this.list = this.list.filter((p) => !after.lapsed.has(p) || p === answered);
    // The waiting list keeps its order (of joining, even within one millisecond); those offered a seat are its head.
    expect(after.list, where).toEqual(this.list);
    expect(after.list.slice(0, after.offered.size).every((p) => after.offered.has(p)), `${where}: offers not at the head`).toBe(true);
    const close = offersCloseAt(after.activity);
    for (const offer of after.offers) {
      expect(offer.until.getTime(), where).toBeLessThanOrEqual(close.getTime());
      expect(after.offerMessages.get(`${offer.person}:${offer.until.toISOString()}`), `${where}: one message per offer`).toBe(1);
      if (!this.before.offers.some((o) => o.person === offer.person && o.until.getTime() === offer.until.getTime())) {
        expect(now.getTime(), `${where}: offer made after the cut-off`).toBeLessThan(close.getTime());
        seen.offersMade++;
      }
    }
    // What a settling step leaves free before the cut-off is offered to whoever waits.
    if (this.settled && now < close) {
      const free = this.capacity === null ? Infinity : this.capacity - after.accepted - after.offers.length;
      if (free > 0) expect(after.list.filter((p) => !after.offered.has(p)), `${where}: ${free} free seats not offered`).toEqual([]);
    }
    this.before = after;
  }
}

/** The instants worth landing on: an offer's deadline (and just before), the cut-off, the start. */
function edge(at: string, seen: Observed): number | undefined {
  const firstOffer = Math.min(...seen.offers.map((o) => o.until.getTime()));
  const cutoff = offersCloseAt(seen.activity).getTime();
  const start = seen.activity.starts_at.getTime();
  const targets: Record<string, number> = { 'offer-1': firstOffer - 1, offer: firstOffer, 'cutoff-1': cutoff - 1, cutoff, 'start-1': start - 1, 'start+15': start + 15 * MINUTE };
  return Number.isFinite(targets[at]) ? targets[at] : undefined;
}
