import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { exportAttendance } from '../../src/export/attendance-export.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, anActivity, importYaml } from '../support/schedule-builder.js';

/**
 * Hostile review of 0626954 (export attendance --team by membership periods). Its activity rows
 * are those of "the people who were the team's members at some time in the range", not of its
 * members at the activity: over a range that spans a move between teams, the workshop of
 * someone who joined the team only after it is in the team's export, so the same workshop row
 * is in the exports of both teams, while the same export's meeting rows (membersAt) count each
 * person in one team at a time.
 *
 *   2027-03-01  mh: Anna (coordinator), Ola;  inne: Piotr
 *   2027-04-01  mh: Anna, Piotr;              inne: Ola
 * A workshop on 10 March for everyone; Ola and Piotr were invited and were there.
 */
const ANNA = { name: 'Anna Nowak', email: 'anna@example.org' };
const OLA = { name: 'Ola Wiśniewska', email: 'ola@example.org' };
const PIOTR = { name: 'Piotr Zieliński', email: 'piotr@example.org' };

const schedule = (mh: (typeof ANNA)[], inne: (typeof ANNA)[]) => {
  const a = aTeam('mh');
  a.withMember(ANNA.name, ANNA.email, 'coordinator');
  for (const p of mh) a.withMember(p.name, p.email);
  const b = aTeam('inne');
  for (const p of inne) b.withMember(p.name, p.email);
  return aSchedule().with(a, b).withActivities(anActivity('w1').from('2027-03-10T09:00', '2027-03-10T15:00').forEveryone()).toYaml();
};

describe.each(dialects)('export attendance --team over a range that spans a move between teams (%s)', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T08:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 'pzk.yaml': schedule([OLA], [PIOTR]) });
    const ids = new Map((await db.db.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.email, p.id]));
    for (const [sequence, person] of [OLA, PIOTR].entries()) {
      const personId = ids.get(person.email)!;
      await db.db.insertInto('invitations').values({ activity_id: 'w1', person_id: personId, sequence: sequence + 1, invited_at: new Date('2027-03-01T09:00:00Z') }).execute();
      await db.db
        .insertInto('attendance')
        .values({ kind: 'activity', ref_id: 'w1', day: '2027-03-10', person_id: personId, present: true, method: 'staff', marked_by: null, marked_at: new Date('2027-03-10T14:00:00Z') })
        .execute();
    }
    clock.set('2027-04-01T08:00:00Z');
    await importYaml(db.db, clock, { 'pzk.yaml': schedule([PIOTR], [OLA]) });
    clock.set('2027-05-02T08:00:00Z');
  });
  afterAll(async () => db?.close());

  const workshop = async (team: string) => {
    const csv = await exportAttendance(db.db, { from: '2027-03-01', to: '2027-04-30', now: clock.now(), team });
    const rows = csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(';'));
    return rows.filter((r) => r[0] === 'w1').map((r) => r[3]).sort();
  };

  it('should keep in mh’s export of March and April the workshop of Ola (in mh on 10 March), not of Piotr (in mh from April)', async () => {
    expect(await workshop('mh')).toEqual([OLA.name]);
  });

  it('should keep in inne’s export of March and April the workshop of Piotr only: no row is in the exports of both teams', async () => {
    expect(await workshop('inne')).toEqual([PIOTR.name]);
  });
});
