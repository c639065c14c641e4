import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { exportAttendance } from '../../src/export/attendance-export.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, anActivity, importYaml } from '../support/schedule-builder.js';

/**
 * `export attendance --team T` keeps T's meetings and "its members' rows of activities"
 * (docs/participation.md), and "every question 'who was a member then'" reads the membership
 * periods ("Members at an occurrence"). The meeting rows do (membership-periods.ts), but the
 * activity rows are filtered by the team's members *now* (memberships, removed_at null): March's
 * export run in April loses the workshop of a member who moved to another team since, and gains
 * that of someone who joined the team only in April, while the same export's meeting rows say
 * the opposite of both.
 *
 * Team "mh" (meets 2nd and 4th Tuesday), team "inne". A workshop on 10 March for everyone.
 *   2027-03-01  mh: Anna (coordinator), Ola;  inne: Piotr
 *   2027-04-01  mh: Anna, Piotr;              inne: Ola
 * Ola and Piotr were both invited to the workshop and were there.
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

describe.each(dialects)('export attendance --team after members moved between teams (%s)', (kind) => {
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
  });
  afterAll(async () => db?.close());

  it("should keep in March's export of mh the workshop rows of March's members of mh, as its meeting rows do", async () => {
    const csv = await exportAttendance(db.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now(), team: 'mh' });
    const rows = csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(';'));
    // Columns: wydarzenie (team/date or activity id), …, imię i nazwisko (the fourth).
    const names = (event: string) => rows.filter((r) => r[0] === event).map((r) => r[3]).sort();
    // The meetings of March: Anna and Ola were mh's members then, Piotr was not.
    expect(names('mh/2027-03-09')).toEqual([ANNA.name, OLA.name].sort());
    // The workshop of 10 March, for the same team in the same month: Ola (a member then), not Piotr (who joined in April).
    expect(names('w1')).toEqual([OLA.name]);
  });
});
