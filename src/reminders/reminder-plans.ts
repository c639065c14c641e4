import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { activeTeamIds } from '../feeds/feed-data.js';
import { BatchSizer, forEachChunk } from '../time-slices.js';

/**
 * What a mark is for: each kind is planned by its own function (plan-reminders.ts, checkins.ts,
 * summary-plans.ts) and keeps its own mark, since each may fail or run alone.
 */
export type PlanKind = 'reminders' | 'checkins' | 'summaries';

/** A team's planning mark: how far its rows of one kind are planned, while its data stays as it was. */
export interface TeamPlan {
  /** Undefined when never planned or when the team's data changed since: plan the whole horizon. */
  plannedUntil: Date | undefined;
  /** A digest of the team's data's stamps now (see teamPlans). */
  stamp: string;
}

/**
 * The mark of every active team (or those given). The stamp is a digest of the `updated_at` of
 * the team, its series, and every one of its exceptions, members and their preferences, with
 * their counts: whatever can add a row (a new member, a changed series, a quiet-hours change)
 * changes it. Not their greatest: a change written with an earlier `updated_at` (the writer's
 * transaction began earlier, or another host's clock is behind) would not move a maximum, and
 * the team would keep a mark planned without it. Read it before the data it stands for: a
 * change committed in between then gives another stamp next time, and the team is planned in
 * full again.
 */
export async function teamPlans(db: Kysely<Database>, kind: PlanKind, teamIds?: string[]): Promise<Map<string, TeamPlan>> {
  return (await teamMarks(db, [kind], teamIds)).get(kind)!;
}

/** The marks of several kinds at once: the stamps (most of the cost) are computed once for all. */
export async function teamMarks(db: Kysely<Database>, kinds: PlanKind[], teamIds?: string[]): Promise<Map<PlanKind, Map<string, TeamPlan>>> {
  const marks = new Map(kinds.map((kind) => [kind, new Map<string, TeamPlan>()]));
  const add = async (chunk: string[]) => {
    for (const r of await marksOf(db, kinds, chunk)) marks.get(r.kind)!.set(r.id, { plannedUntil: r.planned_until ?? undefined, stamp: r.stamp });
  };
  if (teamIds) await add(teamIds);
  // Every team: in chunks sized by time, since one statement for 5,000 teams held PGlite's thread 90 ms (time-slices.ts).
  else await forEachChunk(await activeTeamIds(db), add, new BatchSizer(200, 20, 1000));
  return marks;
}

async function marksOf(db: Kysely<Database>, kinds: PlanKind[], teamIds: string[]) {
  if (teamIds.length === 0) return [];
  const result = await sql<{ id: string; kind: PlanKind; stamp: string; planned_until: Date | null }>`
    with stamps as (
      select t.id, md5(concat_ws('|', t.updated_at, s.updated_at,
        (select count(*) || ':' || coalesce(sum(extract(epoch from e.created_at)), 0) from meeting_exceptions e where e.team_id = t.id),
        count(m.person_id), sum(extract(epoch from m.updated_at)), sum(extract(epoch from p.updated_at)), sum(extract(epoch from q.updated_at)))) as stamp
      from teams t
      join meeting_series s on s.team_id = t.id
      left join memberships m on m.team_id = t.id
      left join people p on p.id = m.person_id
      left join preferences q on q.person_id = m.person_id
      where t.removed_at is null and t.id in (${sql.join(teamIds)})
      group by t.id, t.updated_at, s.updated_at
    )
    select x.id, k.kind, x.stamp::text as stamp, case when r.data_stamp = x.stamp then r.planned_until end as planned_until
    from stamps x cross join unnest(${kinds}::text[]) as k(kind)
    left join planning_marks r on r.team_id = x.id and r.kind = k.kind`.execute(db);
  return result.rows;
}

/** How far a team is planned now, and from which data: what recordPlans writes. */
export interface PlanRecord {
  teamId: string;
  until: Date;
  stamp: string;
}

/**
 * Where this run plans a team from: beyond its mark when its data is unchanged, from `from` in
 * full when it changed, has no mark, or was named (`named`: teams given by a caller are planned
 * whole). A mark beyond this run's horizon was recorded by a clock ahead of this one (a host's
 * clock put right, another replica's ahead) or a longer horizon: that run skipped what was
 * already due by its clock, which may be still to come by this one, so the team is planned in
 * full (test/reminders/planning-marks-clock-back.hostile.test.ts). The mark to record once
 * planned goes to `done`.
 */
export function planFrom(mark: TeamPlan | undefined, teamId: string, window: { from: Date; until: Date }, named: boolean, done: PlanRecord[]): Date {
  const ahead = mark?.plannedUntil !== undefined && mark.plannedUntil > window.until;
  const plannedUntil = named || ahead ? undefined : mark?.plannedUntil;
  const start = plannedUntil && plannedUntil > window.from ? plannedUntil : window.from;
  if (mark) done.push({ teamId, until: start > window.until ? start : window.until, stamp: mark.stamp });
  return start;
}

/** Records how far these teams are now planned, and from which data. */
export async function recordPlans(db: Kysely<Database>, kind: PlanKind, plans: PlanRecord[]): Promise<void> {
  // Chunks sized by time: all 5,000 teams in one statement held PGlite's thread 100 ms (time-slices.ts).
  await forEachChunk(plans, (chunk) => recordChunk(db, kind, chunk));
}

async function recordChunk(db: Kysely<Database>, kind: PlanKind, plans: PlanRecord[]): Promise<void> {
  await sql`
    insert into planning_marks (team_id, kind, planned_until, data_stamp)
    select team_id, ${kind}::text, planned_until, data_stamp
    from unnest(${plans.map((p) => p.teamId)}::text[], ${plans.map((p) => p.until.toISOString())}::timestamptz[], ${plans.map((p) => p.stamp)}::text[])
      as u(team_id, planned_until, data_stamp)
    on conflict (team_id, kind) do update set planned_until = excluded.planned_until, data_stamp = excluded.data_stamp`.execute(db);
}
