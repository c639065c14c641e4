import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planSummaries } from '../../src/participation/summary-plans.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

const DAY = 24 * 3600_000;

/**
 * Check-ins and attendance summaries keep planning marks like reminders (daily-replan.test.ts):
 * the daily run plans only the days new at the end of the horizon, and the whole horizon again
 * only for a team whose data changed. At national size re-offering every key of 60 days each
 * day froze PGlite's thread for seconds (docs/benchmarks.md, "A national week").
 */
describe.each(dialects)('the daily re-plan of check-ins and summaries on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  // Tuesdays at 10:00 from 5 January; Anna coordinates.
  const team = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org', 'coordinator').withMember('Bolek', 'bolek@example.org');
  const keys = async (kind: 'checkin' | 'attendance_summary') =>
    (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', kind).execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));

  beforeEach(async () => {
    clock.set('2027-01-01T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team()).toYaml() });
  });
  afterEach(async () => db?.close());

  it('should plan check-ins only for the new days when nothing changed, and in full again for a team that changed', async () => {
    // 5 and 12 January: an ask and a nudge each, for Anna.
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(4);
    // A probe: a row the first plan made, taken away. A run that offered the whole window again would put it back.
    expect(await db.db.deleteFrom('deliveries').where('dedupe_key', 'like', 'checkin:t1:2027-01-12:ask:%').returning('id').execute()).toHaveLength(1);

    clock.advance(7 * DAY);
    // A week on: only 19 January is new; the probe stays away.
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(2);
    expect(await keys('checkin')).not.toContain('checkin:t1:2027-01-12:ask');
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(0);

    // Bolek becomes a coordinator: the team's data changed, so its window is planned in full again.
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org', 'coordinator').withMember('Bolek', 'bolek@example.org', 'coordinator')).toYaml() });
    // Bolek: 12 and 19 January, ask and nudge (the 5th's ask, on the 6th, is past); Anna's probe comes back.
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(5);
    expect((await keys('checkin')).filter((k) => k === 'checkin:t1:2027-01-12:ask')).toHaveLength(2);
  });

  it('should plan summaries only for the new days when nothing changed, and in full again for a team that changed', async () => {
    // 5 and 12 January, for Anna (the team has no channel).
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(2);
    expect(await db.db.deleteFrom('deliveries').where('dedupe_key', 'like', 'attendance-summary:t1:2027-01-12:%').returning('id').execute()).toHaveLength(1);

    clock.advance(7 * DAY);
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(1);
    expect(await keys('attendance_summary')).not.toContain('attendance-summary:t1:2027-01-12');
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(0);

    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org', 'coordinator').withMember('Bolek', 'bolek@example.org', 'coordinator')).toYaml() });
    // Bolek: 12 and 19 January; Anna's 12 January comes back.
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(3);
  });

  it('should keep the marks of each kind apart: summaries planned do not mark check-ins as planned', async () => {
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(2);
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(4);
    const marks = await db.db.selectFrom('planning_marks').select(['team_id', 'kind']).orderBy('kind').execute();
    expect(marks).toEqual([
      { team_id: 't1', kind: 'checkins' },
      { team_id: 't1', kind: 'summaries' },
    ]);
  });
});
