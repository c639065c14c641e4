import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { answerInvitation } from '../../src/invitations/rsvp.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { importScheduleFiles } from '../../src/schedule/import-files.js';
import { formatProblemIn, ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { dumpTables, importFiles, scheduleDir, type ScheduleDir } from './support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

const clock = new FixedClock('2026-11-20T09:00:00Z');
const members = ['anna.nowak', 'ewa.lis', 'piotr.zielinski'].map((login, i) =>
  aMember({ name: `Osoba ${i + 1}`, email: `${login}@example.org`, role: i === 0 ? 'coordinator' : 'member' }),
);
const lowicz = (except: unknown[] = []) => aTeam({ id: 'lowicz', name: 'PZK Łowicz', members: [aMember({ email: 'jan.lis@example.org', name: 'Jan Lis' })], meetings: { except } });

/**
 * Issue 14: the problems only the database reveals (seats already accepted, moved meetings that
 * would overlap) were English only, and came only once every problem of the file itself was
 * fixed. Now the valid parts of the files are checked against the database in the same run.
 */
describe.each(dialects)('problems of the file and of the database in one run on %s', (kind) => {
  let db: Db;
  let files: ScheduleDir;
  let file: string;

  beforeEach(async () => {
    db = await freshDatabase(kind);
    files = await scheduleDir();
    file = await files.write('rcps.yaml', scheduleYaml({ teams: [aTeam({ members }), lowicz()], activities: [anActivity({ capacity: 3 })] }));
    await importFiles(db.db, [file], clock);
    await planInvitations(db.db, clock);
    const people = await db.db.selectFrom('people').select('id').where('email', 'like', '%nowak%').execute();
    const ewa = await db.db.selectFrom('people').select('id').where('email', '=', 'ewa.lis@example.org').execute();
    for (const person of [...people, ...ewa]) await answerInvitation(db.db, clock, { activityId: 'warsztaty-2027-1', personId: person.id, answer: 'accepted' });
    // A bad RRULE in one team, a moved meeting onto another in the next, too few seats for an activity.
    await files.write(
      'rcps.yaml',
      scheduleYaml({
        teams: [aTeam({ members, meetings: { rrule: 'FREQ=SOMETIMES' } }), lowicz([{ date: '2027-01-26', moved_to: '2027-02-09T10:30' }])],
        activities: [anActivity({ capacity: 1 })],
      }),
    );
  });
  afterEach(async () => {
    await db?.close();
    await files?.remove();
  });

  const problemsIn = async (language: 'pl' | 'en') => {
    const error = await importScheduleFiles(db.db, [file], { clock, defaultTimezone: 'Europe/Warsaw', language }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleInvalidError);
    return (error as ScheduleInvalidError).problems;
  };

  it('should list the file’s problem and the database’s together, in Polish, each with its line, and change nothing', async () => {
    const before = await dumpTables(db.db);
    const problems = await problemsIn('pl');
    expect(problems.map((p) => p.path)).toEqual(['teams[0].meetings.rrule', 'teams[1].meetings.except[0].moved_to', 'activities[0].capacity']);
    for (const p of problems) expect(p.line, p.path).toBeGreaterThan(0);
    const text = problems.map((p) => formatProblemIn(p, 'pl')).join('\n');
    expect(text).toContain('teams[1].meetings.except[0].moved_to: spotkanie z dnia 2027-01-26, przeniesione na 2027-02-09T10:30, nakładałoby się na spotkanie 2027-02-09T10:00; prosimy wybrać inny termin');
    expect(text).toContain(
      'activities[0].capacity: 1 to mniej, niż jest osób, które już przyjęły zaproszenie na „warsztaty-2027-1” (2); prosimy wpisać capacity co najmniej 2',
    );
    expect(text).not.toMatch(/ is below | would overlap /);
    expect(await dumpTables(db.db)).toEqual(before);
  });

  it('should say the same in English when the operator chooses it', async () => {
    const text = (await problemsIn('en')).map((p) => formatProblemIn(p, 'en')).join('\n');
    expect(text).toMatch(/rcps\.yaml:\d+: teams\[0\]\.meetings\.rrule: is not a valid RRULE/);
    expect(text).toMatch(/rcps\.yaml:\d+: teams\[1\]\.meetings\.except\[0\]\.moved_to: the meeting of 2027-01-26 moved to 2027-02-09T10:30 would overlap/);
    expect(text).toMatch(/rcps\.yaml:\d+: activities\[0\]\.capacity: 1 is below the 2 people who already accepted "warsztaty-2027-1"/);
  });

  it('should name an entry by its place in the file when entries before it were left out for their own problems', async () => {
    await files.write(
      'rcps.yaml',
      scheduleYaml({ teams: [aTeam({ members }), lowicz()], activities: [anActivity({ id: 'zla', kind: 'party' }), anActivity({ capacity: 1 })] }),
    );
    const problems = await problemsIn('en');
    expect(problems.map((p) => p.path)).toEqual(['activities[0].kind', 'activities[1].capacity']);
    expect(problems[1]!.line).toBeGreaterThan(problems[0]!.line!);
  });
});
