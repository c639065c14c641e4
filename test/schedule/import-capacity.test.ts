import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { dumpTables, importFiles, scheduleDir, type ScheduleDir } from './support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

const clock = new FixedClock('2026-11-20T09:00:00Z');
const members = ['anna.nowak', 'ewa.lis', 'piotr.zielinski'].map((login, i) =>
  aMember({ name: `Osoba ${i + 1}`, email: `${login}@example.org`, role: i === 0 ? 'coordinator' : 'member' }),
);
const withSeats = (capacity: number) =>
  scheduleYaml({ teams: [aTeam({ members })], activities: [anActivity({ capacity })] });

describe.each(dialects)('an import that lowers an activity’s seats on %s', (kind) => {
  let db: Db;
  let files: ScheduleDir;
  let file: string;

  beforeEach(async () => {
    db = await freshDatabase(kind);
    files = await scheduleDir();
    file = await files.write('rcps.yaml', withSeats(3));
    await importFiles(db.db, [file], clock);
    await planInvitations(db.db, clock);
    const people = await db.db.selectFrom('people').select('id').orderBy('email').execute();
    for (const person of people.slice(0, 2)) {
      await answerInvitation(db.db, clock, { activityId: 'warsztaty-2027-1', personId: person.id, answer: 'accepted' });
    }
  });
  afterEach(async () => {
    await db?.close();
    await files?.remove();
  });

  const everything = async () => ({
    ...(await dumpTables(db.db)),
    rsvps: await db.db.selectFrom('rsvps').selectAll().orderBy('person_id').execute(),
    invitations: await db.db.selectFrom('invitations').selectAll().orderBy('person_id').execute(),
  });

  it('should refuse seats below the people who already accepted, naming file, path and numbers, and change nothing', async () => {
    const before = await everything();
    await files.write('rcps.yaml', withSeats(1));
    const error = await importFiles(db.db, [file], clock).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleInvalidError);
    expect((error as ScheduleInvalidError).problems).toEqual([
      {
        file,
        path: 'activities[0].capacity',
        line: 31,
        message: '1 is below the 2 people who already accepted "warsztaty-2027-1"; set capacity to at least 2',
      },
    ]);
    expect((error as Error).message).toContain(`${file}:31: activities[0].capacity: 1 is below the 2 people`);
    expect(await everything()).toEqual(before);
  });

  it('should refuse it in a dry run too', async () => {
    await files.write('rcps.yaml', withSeats(1));
    await expect(importFiles(db.db, [file], clock, true)).rejects.toBeInstanceOf(ScheduleInvalidError);
  });

  it('should accept seats equal to those accepted, and no limit at all', async () => {
    await files.write('rcps.yaml', withSeats(2));
    expect((await importFiles(db.db, [file], clock)).activities.updated).toBe(1);
    await files.write('rcps.yaml', scheduleYaml({ teams: [aTeam({ members })], activities: [anActivity()] }));
    expect((await importFiles(db.db, [file], clock)).activities.updated).toBe(1);
    const activity = await db.db.selectFrom('activities').select('capacity').executeTakeFirstOrThrow();
    expect(activity.capacity).toBeNull();
  });
});
