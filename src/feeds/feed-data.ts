import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { ActivityRow, Database, MeetingSeriesRow, TeamRow } from '../db/tables.js';
import type { MeetingSeries } from '../domain/occurrences.js';
import { readAtOneVersion } from '../db/data-version.js';
import { BatchSizer, forEachChunk } from '../time-slices.js';

export interface TeamWithSeries {
  team: TeamRow;
  series: MeetingSeriesRow;
  meetings: MeetingSeries;
}

/** Active teams with their series and exceptions; all of them, or the ids given. */
export async function loadTeams(db: Kysely<Database>, ids?: string[]): Promise<TeamWithSeries[]> {
  if (ids) return loadTeamsOf(db, ids);
  // Every team: in chunks sized by time, since one statement for 5,000 teams held PGlite's
  // thread (the one that answers requests) 140 ms (time-slices.ts).
  // The chunks show one version of the data together (an export or digest of every team is one document).
  return readAtOneVersion(db, async (db) => {
    const teams: TeamWithSeries[] = [];
    await forEachChunk(await activeTeamIds(db), async (chunk) => void teams.push(...(await loadTeamsOf(db, chunk))), new BatchSizer(200, 20, 1000));
    return teams;
  });
}

/** The ids of the teams not removed, in id order (what loadTeams() lists). */
export async function activeTeamIds(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').execute()).map((t) => t.id);
}

async function loadTeamsOf(db: Kysely<Database>, ids: string[]): Promise<TeamWithSeries[]> {
  if (ids.length === 0) return [];
  const rows = await teamsWithExceptionsQuery(db, ids).execute();
  return rows.map(({ exceptions, ...row }) => toTeamWithSeries(row, exceptions));
}

/**
 * teamsWithSeriesQuery with each team's exceptions, in date order, as a JSON array in its row:
 * one statement whatever the number of teams (a reminder, a command or a meeting answer reading
 * its one team was two statements before: 14,312 such loads in the national week).
 */
export function teamsWithExceptionsQuery(db: Kysely<Database>, ids: string[]) {
  return teamsWithSeriesQuery(db, ids).select((eb) =>
    // No timestamp inside the JSON (nothing to turn back into a Date): occurrence_date is a date,
    // which adapters/db reads as 'YYYY-MM-DD' text anyway, moved_to_local a local time as text.
    jsonArrayFrom(
      eb
        .selectFrom('meeting_exceptions')
        .select(['meeting_exceptions.occurrence_date as date', 'meeting_exceptions.cancelled', 'meeting_exceptions.moved_to_local as movedToLocal'])
        .whereRef('meeting_exceptions.team_id', '=', 'teams.id')
        .orderBy('meeting_exceptions.occurrence_date'),
    ).as('exceptions'),
  );
}

/**
 * The active teams of `ids` joined with their series, in id order: every column of both (the
 * series' `updated_at` as `series_updated_at`). Callers may add columns (teamsWithExceptionsQuery
 * adds each team's exceptions as JSON; the reminders' batch load its coordinators too,
 * reminder-message.ts).
 */
function teamsWithSeriesQuery(db: Kysely<Database>, ids: string[]) {
  return db
    .selectFrom('teams')
    .innerJoin('meeting_series', 'meeting_series.team_id', 'teams.id')
    .selectAll('teams')
    .select([
      'meeting_series.rrule',
      'meeting_series.starts_local',
      'meeting_series.duration',
      'meeting_series.location',
      'meeting_series.online_url',
      'meeting_series.reminders',
      'meeting_series.on_holiday',
      'meeting_series.checkin_at',
      'meeting_series.sequence',
      'meeting_series.updated_at as series_updated_at',
    ])
    .where('teams.removed_at', 'is', null)
    .where('teams.id', 'in', ids)
    .orderBy('teams.id');
}

/** A row of teamsWithSeriesQuery with the team's exceptions, as loadTeams returns it. */
export function toTeamWithSeries(
  row: TeamRow & Omit<MeetingSeriesRow, 'team_id' | 'updated_at'> & { series_updated_at: Date },
  exceptions: MeetingSeries['exceptions'],
): TeamWithSeries {
  const team: TeamRow = {
    id: row.id,
    name: row.name,
    area: row.area,
    timezone: row.timezone,
    slack_channel: row.slack_channel,
    teams_channel: row.teams_channel,
    report_code: row.report_code,
    source: row.source,
    removed_at: row.removed_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
  const series: MeetingSeriesRow = {
    team_id: row.id,
    rrule: row.rrule,
    starts_local: row.starts_local,
    duration: row.duration,
    location: row.location,
    online_url: row.online_url,
    reminders: row.reminders,
    on_holiday: row.on_holiday,
    checkin_at: row.checkin_at,
    sequence: row.sequence,
    updated_at: row.series_updated_at,
  };
  return { team, series, meetings: toMeetingSeries(team, series, exceptions) };
}

export function toMeetingSeries(
  team: Pick<TeamRow, 'id' | 'timezone'>,
  series: Pick<MeetingSeriesRow, 'rrule' | 'starts_local' | 'duration' | 'on_holiday'>,
  exceptions: MeetingSeries['exceptions'],
): MeetingSeries {
  return {
    teamId: team.id,
    timezone: team.timezone,
    rrule: series.rrule,
    startsLocal: series.starts_local,
    duration: series.duration,
    onHoliday: series.on_holiday,
    exceptions,
  };
}

/** `personId` may be a subquery that finds the person (load-feed.ts, a personal feed's token). */
export type ActivityScope = { kind: 'public' } | { kind: 'team'; teamId: string } | { kind: 'person'; personId: number | Expression<number> };

/** Which activities a scope shows, as a condition on `activities`: the public ones, those open to a team, or those a person accepted. */
export function inActivityScope(scope: ActivityScope) {
  return (eb: ExpressionBuilder<Database, 'activities'>): Expression<SqlBool> => {
    switch (scope.kind) {
      case 'public':
        return eb('activities.public', '=', true);
      case 'team':
        return eb.or([
          eb('activities.audience_all', '=', true),
          eb.exists(
            eb
              .selectFrom('activity_audience')
              .select('activity_audience.team_id')
              .whereRef('activity_audience.activity_id', '=', 'activities.id')
              .where('activity_audience.team_id', '=', scope.teamId),
          ),
        ]);
      case 'person':
        return eb(
          'activities.id',
          'in',
          eb.selectFrom('rsvps').select('rsvps.activity_id').where('rsvps.person_id', '=', scope.personId).where('rsvps.answer', '=', 'accepted'),
        );
    }
  };
}

/** Activities for a feed or page, in start order: see inActivityScope. */
export async function loadActivities(db: Kysely<Database>, scope: ActivityScope): Promise<ActivityRow[]> {
  return db.selectFrom('activities').selectAll('activities').where(inActivityScope(scope)).orderBy('starts_at').orderBy('id').execute();
}

/** The teams a person belongs to now. */
export async function teamIdsOfPerson(db: Kysely<Database>, personId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .select('memberships.team_id')
    .where('memberships.person_id', '=', personId)
    .where('memberships.removed_at', 'is', null)
    .where('teams.removed_at', 'is', null)
    .execute();
  return rows.map((r) => r.team_id);
}
