import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

/**
 * Hostile review of the planning marks (migration 0030, reminder-plans.ts planFrom): the clock
 * goes back. A host whose clock ran ahead (a day and a half here) plans: it skips what is already
 * due by its clock and marks the team planned up to its own now + horizon. Once the clock is put
 * right, the next run (same data, so the mark counts) plans only beyond that mark: the reminders
 * and check-ins due between the true now and the wrong one are never planned. Before the marks,
 * every run offered the whole horizon again and planned them.
 */
describe.each(dialects)('planning after the clock went back on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  // Tuesdays at 10:00 from 5 January (reminders P7D, P1D, PT2H); Anna coordinates.
  const team = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00').withMember('Anna', 'anna@example.org', 'coordinator');
  const keys = async (k: 'reminder' | 'checkin') =>
    (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', k).execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));

  beforeEach(async () => {
    clock.set('2027-01-01T00:00:00Z');
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(team()).toYaml() });
  });
  afterEach(async () => db?.close());

  it('should plan the 5 January P1D reminder (due 4 January 10:00) once the clock is back on 3 January', async () => {
    // The clock 1.5 days ahead: 4 January 12:00, the P1D reminder of 5 January is already due and skipped.
    clock.set('2027-01-04T12:00:00Z');
    await planReminders(db.db, { clock, horizonDays: 14 });
    expect(await keys('reminder')).not.toContain('reminder:t1:2027-01-05:P1D');
    // Put right: 3 January. Nothing in the team changed.
    clock.set('2027-01-03T00:00:00Z');
    await planReminders(db.db, { clock, horizonDays: 14 });
    expect(await keys('reminder')).toContain('reminder:t1:2027-01-05:P1D');
  });

  it('should plan the check-in asked on 7 January once the clock is back on 6 January', async () => {
    // The clock ahead: 7 January 12:00, the question about 5 January (7 January 09:00 local: the
    // 6th is a holiday) is
    // past. The team is new then (its import plans its check-ins at once), then the daily run.
    await db.db.deleteFrom('deliveries').execute();
    await db.db.deleteFrom('planning_marks').execute();
    clock.set('2027-01-07T12:00:00Z');
    await planCheckins(db.db, { clock, horizonDays: 14 });
    expect(await keys('checkin')).not.toContain('checkin:t1:2027-01-05:ask');
    clock.set('2027-01-06T12:00:00Z');
    await planCheckins(db.db, { clock, horizonDays: 14 });
    expect(await keys('checkin')).toContain('checkin:t1:2027-01-05:ask');
  });
});
