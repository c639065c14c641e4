import fc from 'fast-check';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { nextWorkingDay } from '../../src/domain/holidays.js';
import { takesPlace } from '../../src/domain/occurrences.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { OccurrenceWorld, OFFSETS, type Op } from './occurrence-model.js';

/**
 * Model-based: random sequences of chat moves (also from beyond the 60-day horizon, and
 * across the March clock change and Easter), cancels, quiet-hours changes, team changes
 * (re-imports) and clock steps. Invariant: each meeting that takes place is reminded at each
 * offset and checked in exactly once, at its real time, never before it took place; nothing is
 * sent for a meeting that does not take place. Seed and runs are printed; a failing seed found
 * becomes a fixed case below.
 */
const T0 = '2027-03-20T06:00:00Z';
const END = DateTime.fromISO(T0).plus({ days: 18 }).toJSDate();
const RUNS = modelRuns(5);

/** Tuesdays and Thursdays from 23 March 2027, twelve weeks (beyond the 60-day horizon): the rule's dates. */
const RULE_DATES = Array.from({ length: 12 }, (_, w) => ['2027-03-23', '2027-03-25'].map((d) => DateTime.fromISO(d).plus({ weeks: w }).toISODate()!)).flat();

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('step' as const), hours: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('move' as const), occ: fc.integer({ min: 0, max: RULE_DATES.length - 1 }), days: fc.integer({ min: -80, max: 10 }), hour: fc.constantFrom(6, 8, 13, 21) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('cancel' as const), occ: fc.integer({ min: 0, max: RULE_DATES.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('quiet' as const), person: fc.integer({ min: 0, max: 1 }), from: fc.integer({ min: 0, max: 23 }), to: fc.integer({ min: 0, max: 23 }) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'team' as const }) },
);

async function check(db: Db, run: number, ops: Op[]): Promise<void> {
  const clock = new FixedClock(T0);
  const world = new OccurrenceWorld(db.db, clock, `m${run}`, RULE_DATES);
  await world.start();
  for (const o of ops) await world.apply(o);
  await world.advanceTo(END);
  const problems: string[] = [];
  const say = (s: string) => problems.push(s);
  // Nothing for a meeting that does not take place, no reminder after its start or before its time, none in quiet hours.
  for (const s of world.sent) {
    const what = `${s.type} ${s.date} ${s.offset ?? s.stage} to ${s.personId} at ${s.at.toISOString()}`;
    if (!s.takesPlace) say(`${what}: the meeting does not take place`);
    if (s.type === 'reminder') {
      if (s.at.getTime() >= s.start) say(`${what}: after the start`);
      if (s.at.getTime() < OccurrenceWorld.reminderTime(DateTime.fromMillis(s.start, { zone: 'Europe/Warsaw' }), s.offset!)) say(`${what}: before its time`);
      if (!s.quietOk) say(`${what}: in quiet hours`);
    } else if (s.at.getTime() < s.end) say(`${what}: before the meeting took place`);
  }
  // Exactly once, at its real time, for every meeting that takes place.
  for (const o of await world.finalOccurrences()) {
    if (!takesPlace(o) || o.start.toMillis() < new Date(T0).getTime()) continue;
    const changed = world.changedAt.get(o.date)!;
    for (const person of world.people) {
      for (const offset of OFFSETS) {
        const meant = OccurrenceWorld.reminderTime(o.start, offset);
        const got = world.sent.filter((s) => s.type === 'reminder' && s.personId === person && s.date === o.date && s.offset === offset && s.start === o.start.toMillis());
        // Quiet hours may hold a reminder up to a day: one meant in the last day may still wait.
        // One whose time passed before the change is not sent, unless quiet hours still held it
        // then (plannedTimingRule: held to 07:00, the others get it at 07:00 too): then once,
        // at or after the change and after its time (the checks above say not in quiet hours).
        const heldPastChange = got.length === 1 && got[0]!.at.getTime() >= changed && got[0]!.at.getTime() > meant;
        const expected = meant < changed ? (heldPastChange ? 1 : 0) : meant > END.getTime() ? 0 : meant > END.getTime() - 24 * 3600_000 ? got.length && 1 : 1;
        if (got.length !== expected) say(`reminder ${o.date} ${offset} to ${person} for ${o.start.toISO()}: sent ${got.length}, expected ${expected}`);
      }
    }
    const ask = DateTime.fromISO(`${nextWorkingDay(o.end.toISODate()!)}T09:00`, { zone: 'Europe/Warsaw' }).toMillis();
    const asks = world.sent.filter((s) => s.type === 'checkin' && s.stage === 'ask' && s.date === o.date && s.personId === world.people[0]);
    const expected = ask < END.getTime() ? 1 : 0;
    if (asks.length !== expected || (expected && asks[0]!.at.getTime() !== ask)) say(`check-in ${o.date}: asked ${asks.map((a) => a.at.toISOString()).join(', ') || 'never'}, expected ${expected ? new Date(ask).toISOString() : 'not yet'}`);
  }
  await db.db.updateTable('teams').set({ removed_at: clock.now() }).where('id', '=', world.team).execute();
  await db.db.deleteFrom('deliveries').where('team_id', '=', world.team).execute();
  expect(problems, `run ${run}, ops ${JSON.stringify(ops)}`).toEqual([]);
}

describe.each(dialects)('a meeting occurrence and its reminders and check-in, model-based, on %s', (kind) => {
  let db: Db;
  let run = 0;
  beforeAll(async () => {
    db = await freshDatabase(kind);
  }, 60_000);
  afterAll(async () => db?.close());

  it('should hold for fixed cases: a move from beyond the horizon, a held reminder across a team change, a moved check-in, a move into a held reminder', async () => {
    await check(db, run++, [{ t: 'move', occ: 22, days: -70, hour: 8 }, { t: 'step', hours: 30 }, { t: 'team' }]);
    await check(db, run++, [{ t: 'quiet', person: 1, from: 22, to: 9 }, { t: 'step', hours: 60 }, { t: 'team' }, { t: 'move', occ: 1, days: 5, hour: 13 }]);
    // Moved at 07:00 to 08:00 the same day: the 2-hour reminder (06:00) was held by quiet hours to 07:00, so it goes at 07:00.
    await check(db, run++, [{ t: 'move', occ: 0, days: -3, hour: 8 }]);
    await check(db, run++, [{ t: 'step', hours: 23 }, { t: 'quiet', person: 0, from: 5, to: 7 }, { t: 'move', occ: 0, days: -2, hour: 8 }]);
  }, 120_000);

  it('should hold for random sequences', async () => {
    await checkModel(`occurrence model on ${kind}`, fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => check(db, run++, ops), RUNS);
  }, 300_000);
});
