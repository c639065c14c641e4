import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { changesOf, dataVersion, DEMO_FILE, dumpTables, importFiles, scheduleDir, type ScheduleDir } from './support/import-helpers.js';
import { aMember, anActivity, aTeam, scheduleYaml } from './support/schedule-builder.js';

const clock = () => new FixedClock('2026-11-20T09:00:00Z');
const lowicz = (over: Record<string, unknown> = {}) =>
  aTeam({ id: 'lowicz', name: 'PZK Łowicz', area: 'powiat', members: [aMember({ name: 'Barbara Kowalczyk', email: 'barbara.kowalczyk@example.org' })], ...over });
/** File A: team lodz only. File B: team lowicz and a workshop for both teams. */
const fileA = (over: Record<string, unknown> = {}) => scheduleYaml({ teams: [aTeam(over)], activities: [] });
const fileB = () => scheduleYaml({ teams: [lowicz()], activities: [anActivity({ audience: ['lodz', 'lowicz'] })] });

describe.each(dialects)('importing several files on %s', (kind) => {
  let db: Db;
  let files: ScheduleDir;
  beforeEach(async () => {
    db = await freshDatabase(kind);
    files = await scheduleDir();
  });
  afterEach(async () => {
    await db?.close();
    await files?.remove();
  });

  it('should accept an audience in file B naming a team of file A, each entity remembering its file', async () => {
    const a = await files.write('a.yaml', fileA());
    const b = await files.write('b.yaml', fileB());
    await importFiles(db.db, [a, b], clock());

    expect(await db.db.selectFrom('teams').select(['id', 'source']).orderBy('id').execute()).toEqual([
      { id: 'lodz', source: 'a.yaml' },
      { id: 'lowicz', source: 'b.yaml' },
    ]);
    expect(await db.db.selectFrom('activities').select(['id', 'source']).execute()).toEqual([{ id: 'warsztaty-2027-1', source: 'b.yaml' }]);
    const audience = await db.db.selectFrom('activity_audience').select('team_id').orderBy('team_id').execute();
    expect(audience.map((r) => r.team_id)).toEqual(['lodz', 'lowicz']);
    expect(await db.db.selectFrom('import_runs').select('files').execute()).toEqual([{ files: ['a.yaml', 'b.yaml'] }]);
  });

  it('should refuse a team id defined in two files, naming both, and write nothing', async () => {
    const a = await files.write('a.yaml', fileA());
    const b = await files.write('b.yaml', fileA({ name: 'Też Łódź' }));
    const empty = await dumpTables(db.db);

    const error = await importFiles(db.db, [a, b], clock()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ScheduleInvalidError);
    // With its line too, now that clashes across files are found on every file's raw data.
    expect((error as ScheduleInvalidError).problems).toEqual([{ file: b, path: 'teams[0].id', line: expect.any(Number), message: `"lodz" is already a team in ${a}` }]);
    expect(await dumpTables(db.db)).toEqual(empty);
  });

  it("should leave file B's teams and activities alone when file A is imported by itself", async () => {
    const a = await files.write('a.yaml', fileA());
    const b = await files.write('b.yaml', fileB());
    await importFiles(db.db, [a, b], clock());

    await files.write('a.yaml', fileA({ name: 'PZK Łódź-Bałuty' }));
    const summary = await importFiles(db.db, [a], new FixedClock('2026-11-27T09:00:00Z'));

    expect(summary).toMatchObject({ teams: { added: 0, updated: 1, removed: 0 }, activities: { added: 0, updated: 0, removed: 0 } });
    expect(await db.db.selectFrom('teams').select(['id', 'name', 'removed_at']).orderBy('id').execute()).toEqual([
      { id: 'lodz', name: 'PZK Łódź-Bałuty', removed_at: null },
      { id: 'lowicz', name: 'PZK Łowicz', removed_at: null },
    ]);
    expect(await db.db.selectFrom('activities').select(['id', 'cancelled_at', 'sequence']).execute()).toEqual([
      { id: 'warsztaty-2027-1', cancelled_at: null, sequence: 0 },
    ]);
    const barbara = await db.db.selectFrom('people').select('removed_at').where('email', '=', 'barbara.kowalczyk@example.org').executeTakeFirstOrThrow();
    expect(barbara.removed_at).toBeNull();
    expect((await changesOf(db.db)).map((c) => c.kind)).toEqual([]);

    // B alone afterwards still finds lodz (stored, owned by A) for its audience.
    expect((await importFiles(db.db, [b], clock())).changed).toBe(false);
  });

  // The file that gave the staff role owns it: importing another file alone leaves it be.
  it('should keep a staff role from file A when file B, listing the same person as a member, is imported alone', async () => {
    const jan = { name: 'Jan Kowalski', email: 'jan.kowalski@example.org' };
    const a = await files.write('a.yaml', scheduleYaml({ teams: [aTeam()], staff: [{ ...jan, role: 'rcps' }], activities: [] }));
    const b = await files.write('b.yaml', scheduleYaml({ teams: [lowicz({ members: [aMember({ ...jan, role: 'member' })] })], activities: [] }));
    await importFiles(db.db, [a, b], clock());
    const staffRole = async () =>
      (await db.db.selectFrom('people').select('staff_role').where('email', '=', jan.email).executeTakeFirstOrThrow()).staff_role;
    expect(await staffRole()).toBe('rcps');

    const summary = await importFiles(db.db, [b], new FixedClock('2026-11-27T09:00:00Z'));

    expect(await staffRole()).toBe('rcps');
    expect(summary.changed).toBe(false);
  });

  it('should end with one set of rows when the same file is imported twice at the same moment', async () => {
    const results = await Promise.all([importFiles(db.db, [DEMO_FILE], clock()), importFiles(db.db, [DEMO_FILE], clock())]);

    // One import did the work; the other waited for the lock and found nothing left to do.
    expect(results.map((r) => r.changed).sort()).toEqual([false, true]);
    const count = async (table: 'teams' | 'people' | 'memberships' | 'meeting_series' | 'meeting_exceptions' | 'activities' | 'activity_audience' | 'import_runs') =>
      (await db.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    expect({
      teams: await count('teams'),
      people: await count('people'),
      memberships: await count('memberships'),
      meeting_series: await count('meeting_series'),
      meeting_exceptions: await count('meeting_exceptions'),
      activities: await count('activities'),
      activity_audience: await count('activity_audience'),
      import_runs: await count('import_runs'),
    }).toEqual({ teams: 2, people: 16, memberships: 14, meeting_series: 2, meeting_exceptions: 2, activities: 6, activity_audience: 5, import_runs: 1 });
    expect(await dataVersion(db.db)).toBe(2);
  });
});
