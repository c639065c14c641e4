import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planSummaries } from '../../src/participation/summary-plans.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

const DAY = 24 * 3600_000;

/**
 * Hostile review of the planning marks of check-ins and summaries (8384d7b). A team's stamp is
 * the greatest `updated_at` among its data, and a mark counts while the stamp is equal. A change
 * written with an `updated_at` below the stamp (the writer's clock is its transaction's start,
 * or another host's clock a little behind) does not move it: the daily run then plans only the
 * new days, and the team's first coordinator gets no check-in and no summary for the whole
 * horizon. Adding the first members of a team records no schedule change (import-people.ts:
 * `teamsBefore`), so nothing re-plans the team at once either. Before the marks, the daily run
 * offered every key again and planned them.
 */
describe.each(dialects)('a team’s first coordinator written below the team’s stamp on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:02Z');
  const bare = () => aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00');
  const withAnna = () => bare().withMember('Anna', 'anna@example.org', 'coordinator');
  const keys = async (k: 'checkin' | 'attendance_summary') =>
    (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', k).execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));

  beforeEach(async () => {
    db = await freshDatabase(kind);
    // Replica A (its clock 2 s ahead) imports the schedule; the daily planning then marks the team.
    clock.set('2027-01-01T00:00:02Z');
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(bare()).toYaml() });
    clock.set('2027-01-01T00:00:03Z');
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(0);
    expect(await planSummaries(db.db, { clock, horizonDays: 14 })).toBe(0);
    // Replica B (its clock 2 s behind) imports the members: Anna coordinates.
    clock.set('2027-01-01T00:00:01Z');
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(withAnna()).toYaml() });
    expect(await db.db.selectFrom('memberships').select('role').execute()).toEqual([{ role: 'coordinator' }]);
  });
  afterEach(async () => db?.close());

  it('should ask Anna for a status after 5 and 12 January once the next daily run has planned', async () => {
    clock.set('2027-01-02T00:00:00Z');
    await planCheckins(db.db, { clock, horizonDays: 14 });
    expect(await keys('checkin')).toEqual(expect.arrayContaining(['checkin:t1:2027-01-05:ask', 'checkin:t1:2027-01-12:ask']));
  });

  it('should send Anna the attendance summaries of 5 and 12 January once the next daily run has planned', async () => {
    clock.set('2027-01-02T00:00:00Z');
    await planSummaries(db.db, { clock, horizonDays: 14 });
    expect(await keys('attendance_summary')).toEqual(expect.arrayContaining(['attendance-summary:t1:2027-01-05', 'attendance-summary:t1:2027-01-12']));
  });
});

/**
 * The same hole with one clock (PostgreSQL, two connections): a people import whose transaction
 * began at 10:00:00 commits after the daily planning read a stamp of 10:00:05 (a rename of the
 * team committed meanwhile). Its coordinator's rows carry 10:00:00, below the stamp, which so
 * stays as it was. "Read it before the data it stands for" (reminder-plans.ts) holds only for a
 * change stamped after the read, and updated_at is the writer's start, not its commit.
 */
describe.each(dialects.filter((d) => d === 'postgres'))('a coordinator committed after the stamp was read, stamped before it, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T10:00:00Z');
  afterEach(async () => db?.close());

  it('should ask the coordinator for a status once the next daily run has planned', async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 't.yaml': aSchedule().with(aTeam('t1').meetingsEvery('FREQ=WEEKLY;BYDAY=TU', '2027-01-05T10:00')).toYaml() });
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let written!: () => void;
    const inserted = new Promise<void>((r) => (written = r));
    // The people import, begun at 10:00:00.
    const importing = db.db.transaction().execute(async (trx) => {
      const at = new Date('2027-01-01T10:00:00Z');
      const { id } = await trx.insertInto('people').values({ email: 'anna@example.org', name: 'Anna', institution: null, language: 'pl', channels: JSON.stringify(['email']), staff_role: null, source: 't.yaml', removed_at: null, created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('memberships').values({ team_id: 't1', person_id: id, role: 'coordinator', removed_at: null, created_at: at, updated_at: at }).execute();
      written();
      await gate;
    });
    await inserted;
    // Meanwhile the team is renamed (committed at 10:00:05) and the daily planning runs at 10:00:06.
    await db.db.updateTable('teams').set({ name: 'T1 renamed', updated_at: new Date('2027-01-01T10:00:05Z') }).where('id', '=', 't1').execute();
    clock.set('2027-01-01T10:00:06Z');
    expect(await planCheckins(db.db, { clock, horizonDays: 14 })).toBe(0);
    commit();
    await importing;
    // The next day's run.
    clock.set('2027-01-02T00:00:00Z');
    await planCheckins(db.db, { clock, horizonDays: 14 });
    const keys = (await db.db.selectFrom('deliveries').select('dedupe_key').where('kind', '=', 'checkin').execute()).map((r) => r.dedupe_key.replace(/:\d+$/, ''));
    expect(keys).toEqual(expect.arrayContaining(['checkin:t1:2027-01-05:ask', 'checkin:t1:2027-01-12:ask']));
  });
});
