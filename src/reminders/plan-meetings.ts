import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { takesPlace, type Occurrence } from '../domain/occurrences.js';
import { loadTeams, type TeamWithSeries } from '../feeds/feed-data.js';
import { TimeSlicer } from '../time-slices.js';
import { occurrencesIn } from './occurrence-window.js';
import { planFrom, recordPlans, teamMarks, type PlanKind, type PlanRecord } from './reminder-plans.js';

/**
 * One kind of row planned for each meeting that takes place: reminders (plan-reminders.ts),
 * check-ins (reports/checkins.ts), attendance summaries (participation/summary-plans.ts).
 */
export interface MeetingPlanner {
  kind: PlanKind;
  /** The window this kind plans in: its rows are planned for occurrences between these instants. */
  window: { from: Date; until: Date };
  /** Reads what the rows need besides the teams (members, coordinators): after the marks. */
  prepare(): Promise<void>;
  /** The rows of one team's occurrences (those of its window beyond its mark, taking place). */
  team(loaded: TeamWithSeries, occurrences: Occurrence[]): Promise<void> | void;
  /** Writes what is left to write; the rows added. */
  finish(): Promise<number>;
}

/**
 * Plans several kinds in one pass over the teams: one read of the marks, one load of the teams
 * and one expansion of each team's series for all of them (the national daily re-plan loaded
 * and expanded 2,857 teams three times). Each kind keeps its own mark (reminder-plans.ts): a
 * team's series is expanded from the earliest of its kinds' starts, and each kind takes the
 * occurrences of its own window from that. Teams named in `teamIds` are planned in full.
 * Returns the rows added, by planner.
 */
export async function planMeetings(db: Kysely<Database>, planners: MeetingPlanner[], teamIds?: string[]): Promise<number[]> {
  // The marks first: a change committed while this runs then shows as a newer stamp next time.
  const marks = await teamMarks(db, planners.map((p) => p.kind), teamIds);
  const teams = await loadTeams(db, teamIds);
  if (teams.length === 0) return planners.map(() => 0);
  for (const planner of planners) await planner.prepare();
  const done = planners.map((): PlanRecord[] => []);
  const until = new Date(Math.max(...planners.map((p) => p.window.until.getTime())));
  // Thousands of teams' occurrences are computed on the thread that answers requests: pause
  // every few milliseconds of work (time-slices.ts).
  const slicer = new TimeSlicer();
  for (const loaded of teams) {
    await slicer.tick();
    const id = loaded.team.id;
    const starts = planners.map((p, i) => planFrom(marks.get(p.kind)!.get(id), id, p.window, teamIds !== undefined, done[i]!));
    const from = new Date(Math.min(...starts.map((s) => s.getTime())));
    const found = occurrencesIn(loaded.meetings, from, until).filter(takesPlace);
    for (const [i, planner] of planners.entries()) await planner.team(loaded, found.filter((o) => within(o, starts[i]!, planner.window.until)));
  }
  const added: number[] = [];
  for (const planner of planners) added.push(await planner.finish());
  for (const [i, planner] of planners.entries()) await recordPlans(db, planner.kind, done[i]!);
  return added;
}

/**
 * Whether occurrencesIn(series, from, to) finds this occurrence: its rule date's start or its
 * actual start (a holiday's shift, a move) lies in the window. So one expansion over a wider
 * window serves every kind's narrower one.
 */
function within(o: Occurrence, from: Date, to: Date): boolean {
  const inside = (t: number) => t >= from.getTime() && t < to.getTime();
  return inside(o.originalStart.toMillis()) || inside(o.start.toMillis());
}

/**
 * The current coordinators of every team (or of `teamIds`), grouped by team once in the
 * query's order: check-ins and attendance summaries both go to them, and a scan of all
 * coordinators for every occurrence of every team held the event loop for long at 5,000 teams.
 */
export async function coordinatorsByTeam(db: Kysely<Database>, teamIds?: string[]): Promise<Map<string, { team_id: string; id: number; channels: unknown }[]>> {
  let query = db
    .selectFrom('memberships')
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['memberships.team_id', 'people.id', 'people.channels'])
    .where('memberships.role', '=', 'coordinator')
    .where('memberships.removed_at', 'is', null)
    .where('people.removed_at', 'is', null);
  if (teamIds) query = query.where('memberships.team_id', 'in', teamIds);
  const byTeam = new Map<string, { team_id: string; id: number; channels: unknown }[]>();
  for (const c of await query.execute()) {
    const list = byTeam.get(c.team_id);
    if (list) list.push(c);
    else byTeam.set(c.team_id, [c]);
  }
  return byTeam;
}
