import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { importSchedules, type ImportOptions, type ImportSummary } from './import-schedule.js';
import { loadScheduleFiles, ScheduleInvalidError, type LoadedSchedule, type ScheduleProblem } from './load-schedule.js';

/**
 * `kooperator import`: reads the files and imports them, all or nothing. When the files have
 * problems, the database is still asked about their valid parts (seats already accepted, ids
 * of other files, erased people, moved meetings that would overlap), so one run lists every
 * problem that can be known: a bad RRULE in one team does not hide a capacity below the seats
 * accepted for an activity.
 */
export async function importScheduleFiles(db: Kysely<Database>, files: string[], options: ImportOptions): Promise<ImportSummary> {
  const known = await db.selectFrom('teams').select('id').where('removed_at', 'is', null).execute();
  let schedules: LoadedSchedule[];
  try {
    schedules = await loadScheduleFiles(files, new Set(known.map((t) => t.id)), options.language);
  } catch (error) {
    if (!(error instanceof ScheduleInvalidError) || error.usable.length === 0) throw error;
    const more = await databaseProblems(db, error.usable, options);
    throw new ScheduleInvalidError(inFileOrder([...error.problems, ...more], files));
  }
  return importSchedules(db, schedules, options);
}

async function databaseProblems(db: Kysely<Database>, usable: LoadedSchedule[], options: ImportOptions): Promise<ScheduleProblem[]> {
  try {
    await importSchedules(db, usable, { ...options, dryRun: true, checkOnly: true });
    return [];
  } catch (error) {
    if (error instanceof ScheduleInvalidError) return error.problems;
    throw error;
  }
}

/** By file as given, then by line: the operator reads each file top to bottom. */
function inFileOrder(problems: ScheduleProblem[], files: string[]): ScheduleProblem[] {
  const rank = (p: ScheduleProblem) => files.indexOf(p.file);
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
