import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { bumpDataVersion } from '../db/data-version.js';
import { emptyCounts, type ImportContext, type ImportSummary } from './import-context.js';
import { importActivities } from './import-activities.js';
import { desiredSchedule } from './import-plan.js';
import { importPeople } from './import-people.js';
import { importTeams } from './import-teams.js';
import { recordScheduleChanges } from './meeting-notices.js';
import { ScheduleInvalidError, type LoadedSchedule, type ScheduleProblem } from './load-schedule.js';
import { erasedPeopleProblems } from '../privacy/erasures.js';
import { importRcpsChannel } from '../reports/rcps-channel-import.js';
import { fitsHeld, lockSeats, type HeldSeats } from '../invitations/capacity.js';
import { capacityProblem } from './import-activities.js';
import type { Language } from '../i18n/messages.js';
import { scheduleProblemMessages } from '../i18n/schedule-problem-messages.js';
import { holdImportLock } from './import-lock.js';

export type { ImportSummary };

export interface ImportOptions {
  clock: Clock;
  defaultTimezone: string;
  /** Check everything, including against the database, then roll back. */
  dryRun?: boolean;
  /** The operator's language for problems (English unless told; the CLI says Polish unless --lang en). */
  language?: Language;
  /**
   * Only look for the problems the database reveals, then roll back: for the valid parts of
   * files that have problems elsewhere, so one run lists every problem that can be known.
   */
  checkOnly?: boolean;
}

class DryRunRollback extends Error {}

/**
 * Brings the database in line with the files, all or nothing, in one transaction. Importing
 * the same files again writes nothing. Entities remember the file (by name) they came from,
 * and only entities of the files given here are ever marked removed.
 */
export async function importSchedules(db: Kysely<Database>, schedules: LoadedSchedule[], options: ImportOptions): Promise<ImportSummary> {
  const desired = desiredSchedule(schedules, options.defaultTimezone);
  const summary: ImportSummary = {
    teams: emptyCounts(),
    meetings: emptyCounts(),
    people: emptyCounts(),
    memberships: emptyCounts(),
    activities: emptyCounts(),
    questions: emptyCounts(),
    registrationAnswersRemoved: 0,
    changed: false,
    keptChatChanges: [],
  };
  try {
    await db.transaction().execute(async (trx) => {
      // One import at a time, on every replica: the diff must see a stable database.
      await holdImportLock(trx);
      const t = scheduleProblemMessages[options.language ?? 'en'];
      const ctx: ImportContext = { trx, now: options.clock.now(), desired, summary, changes: [], problems: [], t };
      await checkAgainstDatabase(ctx, schedules);
      // Overlapping meetings are found while the teams are compared with what is stored; the
      // other problems do not stop that, so all of them are told at once.
      await importTeams(ctx);
      if (ctx.problems.length > 0) throw new ScheduleInvalidError(ctx.problems.map((p) => located(p, schedules)));
      if (options.checkOnly) throw new DryRunRollback();
      await importPeople(ctx);
      await importActivities(ctx);
      await importRcpsChannel(trx, schedules);
      summary.changed = Object.values(summary).some((c) => typeof c === 'object' && (c.added || c.updated || c.removed));
      if (summary.changed) {
        // The records and the notices of changed meetings, in this transaction (transactional outbox).
        await recordScheduleChanges(trx, ctx.changes, ctx.now);
        await bumpDataVersion(trx);
        // Fresh planner statistics: without them (PGlite never auto-analyzes, PostgreSQL only
        // later) "my teams" scanned every team instead of using the person's index (20 ms → 0.1 ms).
        await sql`analyze teams, people, memberships, meeting_series, meeting_exceptions, activities, activity_audience`.execute(trx);
        await trx
          .insertInto('import_runs')
          .values({ files: JSON.stringify(schedules.map((s) => s.source)), summary: JSON.stringify(summary), created_at: ctx.now })
          .execute();
      }
      if (options.dryRun) throw new DryRunRollback();
    });
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  return summary;
}

/**
 * Problems only the database can reveal: ids owned by another file, audiences naming unknown
 * teams, seats fewer than those accepted or offered (as `warsztaty miejsca` refuses too).
 */
async function checkAgainstDatabase(ctx: ImportContext, schedules: LoadedSchedule[]): Promise<void> {
  const { trx, desired, t, problems } = ctx;
  // Teams a file names, also those left out for their own problems: already reported, not "unknown".
  const named = new Set(schedules.flatMap((s) => s.teamIds ?? []));
  const teams = await trx.selectFrom('teams').select(['id', 'source', 'removed_at']).execute();
  const activities = await trx.selectFrom('activities').select(['id', 'source', 'cancelled_at']).execute();
  const ownerOfTeam = new Map(teams.filter((t) => !t.removed_at).map((t) => [t.id, t.source]));
  const ownerOfActivity = new Map(activities.filter((a) => !a.cancelled_at).map((a) => [a.id, a.source]));
  const held = await heldSeats(ctx);
  for (const { file, source, data } of schedules) {
    for (const [i, team] of data.teams.entries()) {
      const owner = ownerOfTeam.get(team.id);
      if (owner && owner !== source && !desired.sources.has(owner)) {
        problems.push({ file, path: `teams[${i}].id`, message: t.teamFromOtherFile(team.id, owner) });
      }
    }
    for (const [i, activity] of data.activities.entries()) {
      const owner = ownerOfActivity.get(activity.id);
      if (owner && owner !== source && !desired.sources.has(owner)) {
        problems.push({ file, path: `activities[${i}].id`, message: t.activityFromOtherFile(activity.id, owner) });
      }
      const seats = held.get(activity.id);
      if (seats && !fitsHeld(activity.capacity ?? null, seats)) {
        problems.push({ file, path: `activities[${i}].capacity`, message: capacityProblem(t, activity.id, activity.capacity!, seats) });
      }
      if (activity.audience === 'all') continue;
      for (const [j, teamId] of activity.audience.entries()) {
        const known = desired.teams.has(teamId) || named.has(teamId) || (ownerOfTeam.has(teamId) && !desired.sources.has(ownerOfTeam.get(teamId)!));
        if (!known) problems.push({ file, path: `activities[${i}].audience[${j}]`, message: t.teamNotKnown(teamId) });
      }
    }
  }
  problems.push(...(await erasedPeopleProblems(trx, schedules, t)));
}

/** A problem found against the database, at its place in the file as written (path and line). */
function located(problem: ScheduleProblem, schedules: LoadedSchedule[]): ScheduleProblem {
  const place = schedules.find((s) => s.file === problem.file)?.locate?.(problem.path);
  return place ? { ...problem, ...place } : problem;
}

/** Seats held per activity of the files, under each activity's row lock (an accept racing the import waits or is seen). */
function heldSeats({ trx, desired, now }: ImportContext): Promise<Map<string, HeldSeats>> {
  return lockSeats(trx, [...desired.activities.keys()], now);
}
