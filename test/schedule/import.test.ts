import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { ScheduleInvalidError } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { badSchedules } from './support/bad-schedules.js';
import { changesOf, dataVersion, DEMO_FILE, dumpTables, importFiles, scheduleDir, type ScheduleDir } from './support/import-helpers.js';
import { aTeam, scheduleYaml } from './support/schedule-builder.js';

const FIRST = '2026-11-20T09:00:00Z';
const LATER = '2026-11-27T09:00:00Z';

describe.each(dialects)('schedule import on %s', (kind) => {
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

  it('should create the teams, people, memberships, meetings, activities and audiences of the demo file', async () => {
    const summary = await importFiles(db.db, [DEMO_FILE], new FixedClock(FIRST));

    expect(summary).toEqual({
      teams: { added: 2, updated: 0, removed: 0 },
      meetings: { added: 2, updated: 0, removed: 0 },
      people: { added: 16, updated: 0, removed: 0 },
      memberships: { added: 14, updated: 0, removed: 0 },
      activities: { added: 6, updated: 0, removed: 0 },
      questions: { added: 0, updated: 0, removed: 0 },
      registrationAnswersRemoved: 0,
      changed: true,
      keptChatChanges: [],
    });
    const teams = await db.db.selectFrom('teams').select(['id', 'name', 'area', 'timezone', 'source', 'removed_at']).orderBy('id').execute();
    expect(teams).toEqual([
      { id: 'lodz', name: 'PZK Łódź – demo', area: 'gmina', timezone: 'Europe/Warsaw', source: 'demo.yaml', removed_at: null },
      { id: 'lowicz', name: 'PZK Łowicz – demo', area: 'powiat', timezone: 'Europe/Warsaw', source: 'demo.yaml', removed_at: null },
    ]);
    const anna = await db.db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    expect(anna).toMatchObject({ name: 'Anna Nowak', language: 'pl', channels: ['email'], staff_role: null, source: 'demo.yaml' });
    const staff = await db.db.selectFrom('people').select(['email', 'staff_role']).where('staff_role', 'is not', null).orderBy('email').execute();
    expect(staff).toEqual([
      { email: 'elzbieta.pawlak@example.org', staff_role: 'admin' },
      { email: 'jan.kowalski@example.org', staff_role: 'rcps' },
    ]);
    const memberships = await db.db.selectFrom('memberships').select(['team_id', 'person_id', 'role', 'removed_at']).execute();
    expect(memberships).toHaveLength(14);
    expect(memberships).toContainEqual({ team_id: 'lodz', person_id: anna.id, role: 'coordinator', removed_at: null });

    const series = await db.db.selectFrom('meeting_series').selectAll().where('team_id', '=', 'lodz').executeTakeFirstOrThrow();
    expect(series).toMatchObject({
      rrule: 'FREQ=MONTHLY;BYDAY=2TU,4TU',
      starts_local: '2026-09-08T10:00',
      duration: 'PT2H',
      online_url: 'https://example.org/meet/pzk-lodz',
      reminders: ['P7D', 'P1D', 'PT2H'],
      on_holiday: 'shift',
      sequence: 0,
    });
    const exceptions = await db.db.selectFrom('meeting_exceptions').select(['team_id', 'occurrence_date', 'cancelled', 'moved_to_local']).orderBy('occurrence_date').execute();
    expect(exceptions).toEqual([
      { team_id: 'lodz', occurrence_date: '2027-03-09', cancelled: true, moved_to_local: null },
      { team_id: 'lodz', occurrence_date: '2027-04-13', cancelled: false, moved_to_local: '2027-04-14T12:00' },
    ]);

    const workshop = await db.db.selectFrom('activities').selectAll().where('id', '=', 'warsztaty-2027-1').executeTakeFirstOrThrow();
    expect(workshop).toMatchObject({ kind: 'workshop', capacity: 24, rsvp_by: '2027-02-24', audience_all: false, public: true, sequence: 0, source: 'demo.yaml' });
    // 09:00 in Warsaw in March (CET, UTC+1) is 08:00 UTC.
    expect(workshop.starts_at.toISOString()).toBe('2027-03-10T08:00:00.000Z');
    const audience = await db.db.selectFrom('activity_audience').selectAll().orderBy('activity_id').orderBy('team_id').execute();
    expect(audience).toEqual([
      { activity_id: 'coaching-2027-02', team_id: 'lodz' },
      { activity_id: 'konsultacje-rekomendacje-2027-05', team_id: 'lodz' },
      { activity_id: 'konsultacje-rekomendacje-2027-05', team_id: 'lowicz' },
      { activity_id: 'warsztaty-2027-1', team_id: 'lodz' },
      { activity_id: 'warsztaty-2027-1', team_id: 'lowicz' },
    ]);
    const forAll = await db.db.selectFrom('activities').select('id').where('audience_all', '=', true).orderBy('id').execute();
    expect(forAll.map((a) => a.id)).toEqual(['edukacja-rodo-2026-12', 'konferencja-regionalna-2027', 'szkolenie-niebieska-karta-2027-01']);

    expect(await dataVersion(db.db)).toBe(2);
    const runs = await db.db.selectFrom('import_runs').select(['files', 'summary']).execute();
    expect(runs).toEqual([{ files: ['demo.yaml'], summary: expect.objectContaining({ changed: true }) }]);
    expect(await changesOf(db.db)).toEqual([]);
  });

  it('should change nothing at all when the same file is imported again', async () => {
    await importFiles(db.db, [DEMO_FILE], new FixedClock(FIRST));
    const before = await dumpTables(db.db);

    const summary = await importFiles(db.db, [DEMO_FILE], new FixedClock(LATER));

    expect(summary.changed).toBe(false);
    for (const counts of [summary.teams, summary.meetings, summary.people, summary.memberships, summary.activities]) {
      expect(counts).toEqual({ added: 0, updated: 0, removed: 0 });
    }
    // The dump holds every updated_at, the data version, the change records and the import runs.
    expect(await dumpTables(db.db)).toEqual(before);
    expect(await dataVersion(db.db)).toBe(2);
  });

  it('should report what would change on a dry run and write nothing', async () => {
    const empty = await dumpTables(db.db);
    const wouldAdd = await importFiles(db.db, [DEMO_FILE], new FixedClock(FIRST), true);
    expect(wouldAdd).toMatchObject({ changed: true, teams: { added: 2 }, activities: { added: 6 } });
    expect(await dumpTables(db.db)).toEqual(empty);

    await importFiles(db.db, [DEMO_FILE], new FixedClock(FIRST));
    const imported = await dumpTables(db.db);
    const renamed = (await readFile(DEMO_FILE, 'utf8')).replace('name: PZK Łódź – demo', 'name: PZK Łódź');
    const wouldUpdate = await importFiles(db.db, [await files.write('demo.yaml', renamed)], new FixedClock(LATER), true);
    expect(wouldUpdate).toMatchObject({ changed: true, teams: { added: 0, updated: 1 }, meetings: { updated: 1 } });
    expect(await dumpTables(db.db)).toEqual(imported);
  });
});

describe.each(dialects)('a bad schedule file on %s', (kind) => {
  let db: Db;
  let files: ScheduleDir;
  let imported: Record<string, string[]>;
  let demoText: string;
  // Every test checks that the database is exactly as before, so they can share one.
  beforeAll(async () => {
    db = await freshDatabase(kind);
    files = await scheduleDir();
    await importFiles(db.db, [DEMO_FILE], new FixedClock(FIRST));
    imported = await dumpTables(db.db);
    demoText = await readFile(DEMO_FILE, 'utf8');
  });
  afterAll(async () => {
    await db?.close();
    await files?.remove();
  });

  /** Imports `text` as demo.yaml (the same source as the stored schedule) and returns the error. */
  async function refused(text: string, name = 'demo.yaml'): Promise<ScheduleInvalidError> {
    const file = await files.write(name, text);
    const error = await importFiles(db.db, [file], new FixedClock(LATER)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScheduleInvalidError);
    expect(await dumpTables(db.db)).toEqual(imported);
    return error as ScheduleInvalidError;
  }

  it.each(badSchedules)('should refuse $what and leave every table as it was', async ({ text, path }) => {
    const error = await refused(text);
    expect(error.problems.map((p) => p.path)).toEqual([path]);
  });

  it('should refuse a YAML syntax error and leave every table as it was', async () => {
    const error = await refused(demoText.replace('  - id: lowicz', '  - id: [lowicz'));
    expect(error.problems[0]?.message).toMatch(/^YAML: /);
  });

  it('should refuse, after taking the lock, a file that drops a team its activities still invite', async () => {
    const withoutLowicz = demoText.replace(/  - id: lowicz[\s\S]*?(?=\nstaff:)/, '');
    expect(withoutLowicz).not.toContain('id: lowicz');
    const error = await refused(withoutLowicz);
    expect(error.problems.map((p) => p.path)).toEqual(['activities[3].audience[1]', 'activities[4].audience[1]']);
    expect(error.problems[0]!.message).toMatch(/unknown team "lowicz"/);
  });

  it('should refuse a second file that claims a team of the stored one, naming both files', async () => {
    const error = await refused(scheduleYaml({ teams: [aTeam({ id: 'lowicz' })], activities: [] }), 'other.yaml');
    expect(error.problems).toEqual([
      { file: `${files.dir}/other.yaml`, path: 'teams[0].id', line: expect.any(Number), message: expect.stringMatching(/"lowicz" is already a team from demo\.yaml/) },
    ]);
  });
});
