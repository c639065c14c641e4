import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { markPresence } from '../../src/participation/presence.js';
import { dialects, demoDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';

/**
 * Model-based: random sequences of marks by the coordinator, RCPS staff, a member and a
 * coordinator of another team, at instants around the meeting's start, its end, and the end of
 * the 14-day late-change period, which falls after the March clock change (28 March 2027). The
 * model is written independently of the code: the window is given in UTC by hand. Invariants:
 * after each mark, the stored presence is the model's; the audit trail has exactly one row per
 * change the model made, in order; a refused mark changes nothing.
 */
const RUNS = modelRuns(20);
// Łódź meets on Tuesday 23 March 2027, 10:00–12:00 CET (09:00–11:00 UTC).
const START = Date.parse('2027-03-23T09:00:00Z');
// 14 local days after the end: 6 April, 12:00 CEST = 10:00 UTC (13 days and 23 hours later).
const CLOSES = Date.parse('2027-04-06T10:00:00Z');
const INSTANTS = [
  START - 3600_000,
  START - 1000,
  START,
  START + 3600_000,
  Date.parse('2027-03-28T01:30:00Z'),
  CLOSES - 3600_000,
  CLOSES - 1000,
  CLOSES,
  // 14 × 24 hours after the end: already past the local 14 days because of the clock change.
  CLOSES + 1800_000,
  CLOSES + 3600_000,
];

type Marker = 'coordinator' | 'staff' | 'member' | 'other_coordinator';
interface Op {
  at: number;
  marker: Marker;
  person: number;
  present: boolean;
}

const op: fc.Arbitrary<Op> = fc.record({
  at: fc.constantFrom(...INSTANTS),
  marker: fc.constantFrom<Marker>('coordinator', 'staff', 'member', 'other_coordinator'),
  person: fc.integer({ min: 0, max: 2 }),
  present: fc.boolean(),
});

describe.each(dialects)('Presence state machine (model-based) on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T12:00:00Z');
  let ids: Record<Marker, number>;
  let people: number[];

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    const id = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', `${email}@example.org`).executeTakeFirstOrThrow()).id;
    ids = { coordinator: await id('anna.nowak'), staff: await id('jan.kowalski'), member: await id('marta.grabowska'), other_coordinator: await id('barbara.kowalczyk') };
    people = [await id('marta.grabowska'), await id('tomasz.zielinski'), await id('anna.nowak')];
  });
  afterAll(async () => db?.close());

  it('should match the model across the start, the 14-day boundary and the clock change', async () => {
    await checkModel(
      'presence',
      fc.array(op, { minLength: 1, maxLength: 12 }),
      async (ops) => {
        await db.db.deleteFrom('attendance_changes').execute();
        await db.db.deleteFrom('attendance').execute();
        const model = new Map<number, boolean>();
        const audit: [number, boolean][] = [];
        for (const o of ops) {
          clock.set(new Date(o.at));
          const personId = people[o.person]!;
          const method = o.marker === 'staff' ? 'staff' : 'checkin';
          const result = await markPresence(db.db, { kind: 'meeting', refId: 'lodz', day: '2027-03-23', personId, present: o.present, method, markedBy: ids[o.marker] }, clock);
          const mayMark = o.marker === 'coordinator' || o.marker === 'staff';
          const inWindow = o.at >= START && o.at < CLOSES;
          expect(result.ok, JSON.stringify(o)).toBe(mayMark && inWindow);
          if (mayMark && inWindow && model.get(personId) !== o.present) {
            model.set(personId, o.present);
            audit.push([personId, o.present]);
          }
          const stored = await db.db.selectFrom('attendance').select(['person_id', 'present']).execute();
          expect(new Map(stored.map((r) => [r.person_id, r.present]))).toEqual(model);
        }
        const changes = await db.db.selectFrom('attendance_changes').select(['person_id', 'present']).orderBy('id').execute();
        expect(changes.map((c) => [c.person_id, c.present])).toEqual(audit);
      },
      RUNS,
    );
  });
});
