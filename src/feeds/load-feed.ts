import { sql, type CompiledQuery, type Expression, type InferResult, type Kysely } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import type { ActivityRow, Database, MeetingSeriesRow, TeamRow } from '../db/tables.js';
import type { MeetingSeries } from '../domain/occurrences.js';
import { inActivityScope, toMeetingSeries } from './feed-data.js';
import { BatchSizer } from '../time-slices.js';
import { readAtOneVersion } from '../db/data-version.js';

/** What a feed shows of a team: only the columns its VEVENTs are made of. */
export interface FeedTeam {
  team: Pick<TeamRow, 'id' | 'name' | 'timezone' | 'updated_at'>;
  series: Pick<MeetingSeriesRow, 'rrule' | 'starts_local' | 'duration' | 'location' | 'online_url' | 'on_holiday' | 'sequence' | 'updated_at'>;
  meetings: MeetingSeries;
}

/** What a feed shows of an activity. */
export type FeedActivity = Pick<
  ActivityRow,
  'id' | 'kind' | 'title' | 'description' | 'starts_local' | 'ends_local' | 'timezone' | 'location' | 'online_url' | 'sequence' | 'cancelled_at' | 'updated_at'
>;

/**
 * Whose feed: everyone's, a team's, a person's, or the person a personal feed token names
 * (`tokenHash`, feed-tokens.ts hashToken): that token is checked in the same statement that
 * reads the feed (live, not revoked, its person not removed), FeedData's `owner`.
 */
export type FeedScope = { kind: 'all' } | { kind: 'team'; teamId: string } | { kind: 'person'; personId: number } | { kind: 'token'; tokenHash: string };

export interface FeedData {
  teams: FeedTeam[];
  activities: FeedActivity[];
  /** A person's feed: single meetings of other teams they stand in at (a member's "przyjdzie za mnie…"). */
  substitutions?: { team: FeedTeam; date: string; answeredAt: Date }[];
  /** A token's feed: the person the token names, or null when it names nobody now (the rest is then empty). */
  owner?: { id: number; name: string } | null;
}

/**
 * Everything one feed shows in one round trip: its active teams with their series and
 * exceptions, and its activities (all.ics: public ones; a team: those open to it; a person:
 * those they accepted), and for a person the occurrences they stand in at, as JSON arrays in a
 * single row. A feed render used to wait on four queries in turn; the database's part of each is
 * small, the waiting was not. Only a stand-in at a team the person is not a member of (rare)
 * costs more: that team's data, one statement each.
 */
export async function loadFeedData(db: Kysely<Database>, scope: FeedScope): Promise<FeedData> {
  if (scope.kind === 'all') return readAtOneVersion(db, loadAllPaged);
  return loadOnce(db, scope);
}

/**
 * all.ics: every team, in pages sized by time (time-slices.ts): one statement for 5,000 teams
 * held PGlite's thread (the one that answers requests) 130 ms. The activities come with the first page.
 */
async function loadAllPaged(db: Kysely<Database>): Promise<FeedData> {
  const sizer = new BatchSizer(200, 20, 5000);
  const teams: FeedTeam[] = [];
  let activities: FeedActivity[] | undefined;
  for (let after: string | undefined; ; ) {
    const limit = sizer.next;
    const data = await sizer.timed((limit) => loadOnce(db, { kind: 'all' }, { after, limit, activities: activities === undefined }), (d) => d.teams.length);
    teams.push(...data.teams);
    activities ??= data.activities;
    if (data.teams.length < limit) return { teams, activities };
    after = data.teams[data.teams.length - 1]!.team.id;
  }
}

type Page = { after: string | undefined; limit: number; activities: boolean };

async function loadOnce(db: Kysely<Database>, scope: FeedScope, page?: Page): Promise<FeedData> {
  const personId = personOf(scope);
  const row = page ? await feedQuery(db, scope, page).executeTakeFirstOrThrow() : await compiledFeed(db, scope);
  // Inside JSON, timestamps arrive as ISO text: they become Dates again here, as a plain row would have them.
  const teams = row.teams.map<FeedTeam>((t) => {
    const team = { id: t.id, name: t.name, timezone: t.timezone, updated_at: new Date(t.updated_at) };
    const series = {
      rrule: t.rrule,
      starts_local: t.starts_local,
      duration: t.duration,
      location: t.location,
      online_url: t.online_url,
      on_holiday: t.on_holiday,
      sequence: t.sequence,
      updated_at: new Date(t.series_updated_at),
    };
    return { team, series, meetings: toMeetingSeries(team, series, t.exceptions) };
  });
  const activities = row.activities.map<FeedActivity>((a) => ({
    ...a,
    cancelled_at: a.cancelled_at === null ? null : new Date(a.cancelled_at),
    updated_at: new Date(a.updated_at),
  }));
  if (personId === undefined) return { teams, activities };
  const owner = scope.kind === 'token' ? ((row as { owner?: { id: number; name: string } | null }).owner ?? null) : undefined;
  if (owner === null) return { teams: [], activities: [], substitutions: [], owner };
  const substitutions = (row.substitutions ?? []).map((s) => ({ team_id: s.team_id, occurrence_date: s.occurrence_date, answered_at: new Date(s.answered_at) }));
  const found = { teams, activities, substitutions: await substitutionTeams(db, substitutions, new Set(teams.map((t) => t.team.id))) };
  return owner ? { ...found, owner: { id: Number(owner.id), name: owner.name } } : found;
}

/** The one statement of a feed (see loadFeedData), not yet compiled. */
function feedQuery(db: Kysely<Database>, scope: FeedScope, page?: Page) {
  const personId = personOf(scope);
  return db
    .selectNoFrom((eb) => {
      let teams = eb
        .selectFrom('teams')
        .innerJoin('meeting_series', 'meeting_series.team_id', 'teams.id')
        .select(['teams.id', 'teams.name', 'teams.timezone', 'teams.updated_at'])
        .select([
          'meeting_series.rrule',
          'meeting_series.starts_local',
          'meeting_series.duration',
          'meeting_series.location',
          'meeting_series.online_url',
          'meeting_series.on_holiday',
          'meeting_series.sequence',
          'meeting_series.updated_at as series_updated_at',
        ])
        .select((inner) =>
          jsonArrayFrom(
            inner
              .selectFrom('meeting_exceptions')
              .select(['meeting_exceptions.occurrence_date as date', 'meeting_exceptions.cancelled', 'meeting_exceptions.moved_to_local as movedToLocal'])
              .whereRef('meeting_exceptions.team_id', '=', 'teams.id')
              .orderBy('meeting_exceptions.occurrence_date'),
          ).as('exceptions'),
        )
        .where('teams.removed_at', 'is', null)
        .orderBy('teams.id');
      if (page) teams = teams.limit(page.limit);
      if (page?.after !== undefined) teams = teams.where('teams.id', '>', page.after);
      if (scope.kind === 'team') teams = teams.where('teams.id', '=', scope.teamId);
      if (personId !== undefined) {
        teams = teams.where('teams.id', 'in', (inner) =>
          inner.selectFrom('memberships').select('memberships.team_id').where('memberships.person_id', '=', personId).where('memberships.removed_at', 'is', null),
        );
      }
      const activities = eb
        .selectFrom('activities')
        .select([
          'activities.id',
          'activities.kind',
          'activities.title',
          'activities.description',
          'activities.starts_local',
          'activities.ends_local',
          'activities.timezone',
          'activities.location',
          'activities.online_url',
          'activities.sequence',
          'activities.cancelled_at',
          'activities.updated_at',
        ])
        .where(inActivityScope(scope.kind === 'all' ? { kind: 'public' } : scope.kind === 'team' ? scope : { kind: 'person', personId: personId! }))
        .where((inner) => (page && !page.activities ? inner.lit(false) : inner.lit(true)))
        .orderBy('activities.starts_at')
        .orderBy('activities.id');
      return [jsonArrayFrom(teams).as('teams'), jsonArrayFrom(activities).as('activities')];
    })
    // A person's feed: the occurrences they stand in at, in the same statement. Nearly every
    // poll finds none; a statement of its own for them was one more round trip on every poll.
    .$if(personId !== undefined, (query) =>
      query.select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('meeting_answers')
            .select(['meeting_answers.team_id', 'meeting_answers.occurrence_date', 'meeting_answers.answered_at'])
            .where('meeting_answers.substitute_person_id', '=', personId!)
            .where('meeting_answers.answer', '=', 'not_attending')
            .orderBy('meeting_answers.occurrence_date')
            .orderBy('meeting_answers.team_id'),
        ).as('substitutions'),
      ),
    )
    // A token's feed: who the token names, from the same subquery that scopes the rest.
    .$if(scope.kind === 'token', (query) =>
      query.select((eb) => jsonObjectFrom(eb.selectFrom('people').select(['people.id', 'people.name']).where('people.id', '=', personId!)).as('owner')),
    );
}

type FeedRow = InferResult<ReturnType<typeof feedQuery>>[number];

/**
 * The feed statement of a team's, a person's or a token's feed, compiled once per database and
 * scope kind: its text is the same for every team, person or token, only the parameters differ.
 * Building and compiling it with Kysely each time was half of Kysely's CPU in the national week
 * (27,000 polls; docs/benchmarks.md). Compiled with a marker in place of the scope's value,
 * whose places among the parameters are then filled per poll (a token's hash is in four).
 */
const compiledFeeds = new WeakMap<Kysely<Database>, Map<FeedScope['kind'], { query: CompiledQuery<FeedRow>; slots: number[] }>>();
/** Stands for the scope's value while compiling: no real team id, person id or token hash is this. */
const MARK = '\u0000feed scope\u0000';

async function compiledFeed(db: Kysely<Database>, scope: FeedScope): Promise<FeedRow> {
  let kept = compiledFeeds.get(db);
  if (!kept) compiledFeeds.set(db, (kept = new Map()));
  let template = kept.get(scope.kind);
  if (!template) {
    const query = feedQuery(db, markedScope(scope)).compile();
    const slots = query.parameters.flatMap((value, i) => (value === MARK ? [i] : []));
    // A kind whose value did not become a parameter (none today) is not kept: built each time.
    if (slots.length === 0) return feedQuery(db, scope).executeTakeFirstOrThrow();
    kept.set(scope.kind, (template = { query, slots }));
  }
  const value = scopeValue(scope);
  const parameters = [...template.query.parameters];
  for (const i of template.slots) parameters[i] = value;
  const { rows } = await db.executeQuery<FeedRow>({ ...template.query, parameters });
  // A select with no FROM gives one row, always.
  if (!rows[0]) throw new Error('the feed statement gave no row');
  return rows[0];
}

/** The scope with the marker for its value (a person's id too: it is only compiled, never run). */
function markedScope(scope: FeedScope): FeedScope {
  switch (scope.kind) {
    case 'all':
      return scope;
    case 'team':
      return { kind: 'team', teamId: MARK };
    case 'person':
      return { kind: 'person', personId: MARK as unknown as number };
    case 'token':
      return { kind: 'token', tokenHash: MARK };
  }
}

function scopeValue(scope: FeedScope): unknown {
  return scope.kind === 'team' ? scope.teamId : scope.kind === 'person' ? scope.personId : scope.kind === 'token' ? scope.tokenHash : undefined;
}

/**
 * The person a scope is about, as the statement's operand: their id, or for a token the
 * subquery that finds the live token's person (no row, so null, when it names nobody: then
 * every part of the feed is empty). The token's hash is unique (migration 0001), so the
 * subquery gives at most one row; each of its four uses is an index lookup of its own (an
 * InitPlan each), all in the statement's one snapshot, so they agree.
 */
function personOf(scope: FeedScope): number | Expression<number> | undefined {
  if (scope.kind === 'person') return scope.personId;
  if (scope.kind !== 'token') return undefined;
  return sql<number>`(select feed_tokens.person_id from feed_tokens join people on people.id = feed_tokens.person_id where feed_tokens.token_hash = ${scope.tokenHash} and feed_tokens.revoked_at is null and people.removed_at is null)`;
}

/**
 * The occurrences a person stands in at, of teams they are not a member of (those are in the
 * feed whole), with those teams' feed data: one more statement per such team, only when there are any.
 */
async function substitutionTeams(
  db: Kysely<Database>,
  rows: { team_id: string; occurrence_date: string; answered_at: Date }[],
  own: Set<string>,
): Promise<NonNullable<FeedData['substitutions']>> {
  const others = rows.filter((r) => !own.has(r.team_id));
  if (others.length === 0) return [];
  const data = await Promise.all([...new Set(others.map((r) => r.team_id))].map((teamId) => loadFeedData(db, { kind: 'team', teamId })));
  const teams = new Map(data.flatMap((d) => d.teams).map((t) => [t.team.id, t]));
  return others.flatMap((r) => {
    const team = teams.get(r.team_id);
    return team ? [{ team, date: r.occurrence_date, answeredAt: r.answered_at }] : [];
  });
}
