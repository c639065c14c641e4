import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { occurrenceOn } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { loadSummary } from '../../src/participation/attendance-summary.js';
import { meetingRoster } from '../../src/participation/meeting-roster.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

/**
 * Model-based: random sequences of imports in which Ola joins and leaves team "mh" at instants
 * around its meetings of 12 and 26 January 2027 (09:00–11:00 UTC), exactly at their starts and
 * ends included. The model keeps her stretches of membership by hand, [joined, left), and says
 * she is a member at a meeting when one of them overlaps it (started before its end, not ended
 * by its start). Invariants: the stored periods are the model's, and the check-in list and the
 * attendance summary list her for exactly the meetings the model says. She stays a member of
 * another team throughout, so she is never removed as a person (a removed person is listed
 * nowhere, whatever their history).
 */
const RUNS = modelRuns(15);
const MEETINGS = { '2027-01-12': ['2027-01-12T09:00:00Z', '2027-01-12T11:00:00Z'], '2027-01-26': ['2027-01-26T09:00:00Z', '2027-01-26T11:00:00Z'] } as const;
const INSTANTS = [
  '2027-01-01T08:00:00Z',
  '2027-01-12T08:59:59Z',
  '2027-01-12T09:00:00Z',
  '2027-01-12T10:00:00Z',
  '2027-01-12T11:00:00Z',
  '2027-01-12T11:00:01Z',
  '2027-01-20T08:00:00Z',
  '2027-01-26T09:00:00Z',
  '2027-01-26T10:59:59Z',
  '2027-01-26T11:00:00Z',
  '2027-02-01T08:00:00Z',
].map((t) => Date.parse(t));
const ANNA = 'anna@example.org';
const OLA = 'ola@example.org';

const file = (olaInMh: boolean) => {
  const mh = aTeam('mh').withMember('Anna Nowak', ANNA, 'coordinator');
  if (olaInMh) mh.withMember('Ola Wiśniewska', OLA);
  return aSchedule().with(mh, aTeam('zz').withMember('Ola Wiśniewska', OLA)).toYaml();
};

const op = fc.record({ at: fc.constantFrom(...INSTANTS), inTeam: fc.boolean() });

describe.each(dialects)('Membership history (model-based) on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-01T08:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(async () => db?.close());

  it('should list a member at exactly the meetings one of their periods overlaps', async () => {
    await checkModel(
      'membership history',
      fc.uniqueArray(op, { minLength: 1, maxLength: 8, selector: (o) => o.at }),
      async (unsorted) => {
        const ops = [...unsorted].sort((a, b) => a.at - b.at);
        await db.db.deleteFrom('schedule_changes').execute();
        await db.db.deleteFrom('teams').execute();
        await db.db.deleteFrom('people').execute();
        // Ola starts out of the team (in "zz" only), before every instant.
        clock.set('2026-12-01T08:00:00Z');
        await importYaml(db.db, clock, { 'mh.yaml': file(false) });
        const periods: [number, number | null][] = [];
        let member = false;
        for (const o of ops) {
          clock.set(new Date(o.at));
          await importYaml(db.db, clock, { 'mh.yaml': file(o.inTeam) });
          if (o.inTeam && !member) periods.push([o.at, null]);
          if (!o.inTeam && member) periods[periods.length - 1]![1] = o.at;
          member = o.inTeam;
        }
        const ola = (await db.db.selectFrom('people').select('id').where('email', '=', OLA).executeTakeFirstOrThrow()).id;
        const stored = await db.db.selectFrom('membership_periods').select(['started_at', 'ended_at']).where('team_id', '=', 'mh').where('person_id', '=', ola).orderBy('started_at').execute();
        expect(stored.map((p) => [p.started_at.getTime(), p.ended_at?.getTime() ?? null])).toEqual(periods);
        const [team] = await loadTeams(db.db, ['mh']);
        for (const [day, [start, end]] of Object.entries(MEETINGS)) {
          const expected = periods.some(([from, to]) => from < Date.parse(end) && (to === null || to > Date.parse(start)));
          const roster = await meetingRoster(db.db, 'mh', day);
          expect(roster.some((e) => e.personId === ola), `${day} ${JSON.stringify(ops)}`).toBe(expected);
          const summary = await loadSummary(db.db, 'mh', occurrenceOn(team!.meetings, day)!);
          expect(summary.some((r) => r.personId === ola), `${day} ${JSON.stringify(ops)}`).toBe(expected);
        }
      },
      RUNS,
    );
  });
});
