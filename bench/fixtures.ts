/** The data every benchmark measures on: the generated 500-team file and a fixed "now". */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { FixedClock } from '../src/clock.js';
import type { Database } from '../src/db/tables.js';
import { importSchedules, type ImportSummary } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { FOCUS_TEAM, generateSchedule } from './generate-schedule.js';

export const TEAMS = 500;
export { FOCUS_TEAM };
export const DEFAULT_ZONE = 'Europe/Warsaw';
/**
 * Feeds reach two years past "now"; the generated meetings start on 2027-01-12, so with this
 * clock a team feed holds exactly two years of meetings (48) whatever today's date is.
 */
export const NOW = '2027-01-01T00:00:00.000Z';
export const benchClock = () => new FixedClock(NOW);

let tempRoot: string | undefined;
const temp = () => (tempRoot ??= mkdtempSync(join(tmpdir(), 'kooperator-bench-')));
let scheduleFile: string | undefined;

/** The 500-team schedule, written once per run to a temp file (importers read files). */
export function bigScheduleFile(): string {
  if (!scheduleFile) {
    scheduleFile = join(temp(), `bench-${TEAMS}-teams.yaml`);
    writeFileSync(scheduleFile, generateSchedule({ teams: TEAMS }));
  }
  return scheduleFile;
}

export function tempDir(name: string): string {
  return mkdtempSync(join(temp(), `${name}-`));
}

export function removeTemp(): void {
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
  scheduleFile = undefined;
}

/** Parse, validate and import the big file, as `kooperator import` does. */
export async function importBigSchedule(db: Kysely<Database>): Promise<ImportSummary> {
  const loaded = await loadScheduleFiles([bigScheduleFile()]);
  return importSchedules(db, loaded, { clock: benchClock(), defaultTimezone: DEFAULT_ZONE });
}
