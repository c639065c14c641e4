import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../../../src/clock.js';
import type { Database } from '../../../src/db/tables.js';
import { importSchedules, type ImportSummary } from '../../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../../src/schedule/load-schedule.js';

export const DEMO_FILE = fileURLToPath(new URL('../../../calendars/demo.yaml', import.meta.url));

/** Every table an import may touch; a failed import must leave all of them as they were. */
export const SCHEDULE_TABLES = [
  'teams',
  'people',
  'memberships',
  'meeting_series',
  'meeting_exceptions',
  'activities',
  'activity_audience',
  'schedule_changes',
  'import_runs',
  'data_version',
] as const;

/** Each table as sorted JSON rows: two dumps are equal only if nothing at all changed. */
export async function dumpTables(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const dump: Record<string, string[]> = {};
  for (const table of SCHEDULE_TABLES) {
    const result = await sql<{ row: string }>`select to_jsonb(t)::text as row from ${sql.table(table)} t order by 1`.execute(db);
    dump[table] = result.rows.map((r) => r.row);
  }
  return dump;
}

/** What `kooperator import` does: stored teams may be named in audiences, then one import. */
export async function importFiles(db: Kysely<Database>, files: string[], clock: Clock, dryRun = false): Promise<ImportSummary> {
  const known = await db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute();
  const schedules = await loadScheduleFiles(files, new Set(known.map((t) => t.id)));
  return importSchedules(db, schedules, { clock, defaultTimezone: 'Europe/Warsaw', dryRun });
}

/** A temporary folder of schedule files; a file keeps its name, so rewriting it changes that source. */
export interface ScheduleDir {
  dir: string;
  write(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

export async function scheduleDir(): Promise<ScheduleDir> {
  const dir = await mkdtemp(join(tmpdir(), 'kooperator-schedule-'));
  return {
    dir,
    write: async (name, text) => {
      const file = join(dir, name);
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function changesOf(db: Kysely<Database>) {
  return db
    .selectFrom('schedule_changes')
    .select(['kind', 'team_id', 'person_id', 'activity_id', 'occurrence_date', 'details'])
    .orderBy('id')
    .execute();
}

export async function dataVersion(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('data_version').select('version').executeTakeFirstOrThrow();
  return Number(row.version);
}
