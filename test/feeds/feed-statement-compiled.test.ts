import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { hashToken, issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { loadFeedData, type FeedData, type FeedScope } from '../../src/feeds/load-feed.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule, idsOfPeople } from './feed-schedule.js';

const SECRET = 'feed-compiled-secret';

/**
 * Issue 17: a team's, a person's and a token's feed statement is compiled once per database and
 * scope kind and run with each poll's own value (src/feeds/load-feed.ts compiledFeed). Each poll
 * must still read its own scope: polls of different teams, people and tokens, interleaved, each
 * get what the tables say of that scope, and the statement text is the same for all of a kind.
 */
describe.each(dialects)('the compiled feed statement on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  const ids: Record<keyof typeof PEOPLE, number> = { anna: 0, piotr: 0, barbara: 0 };
  const tokens: Partial<Record<keyof typeof PEOPLE, string>> = {};

  beforeAll(async () => {
    ({ db, faults } = await faultyDatabase(kind));
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    Object.assign(ids, await idsOfPeople(db.db));
    for (const key of Object.keys(PEOPLE) as (keyof typeof PEOPLE)[]) tokens[key] = await issueFeedToken(db.db, ids[key], SECRET, clock);
  });
  afterAll(async () => db?.close());

  const personOfToken = (tokenHash: string) => ids[(Object.keys(tokens) as (keyof typeof PEOPLE)[]).find((k) => hashToken(tokens[k]!) === tokenHash)!];
  /** What the tables say a scope's feed holds: its teams and activities by id. */
  const expected = async (scope: FeedScope): Promise<{ teams: string[]; activities: string[] }> => {
    const activeTeams = (await db.db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').execute()).map((t) => t.id);
    const memberOf = async (personId: number) =>
      (await db.db.selectFrom('memberships').select('team_id').where('person_id', '=', personId).where('removed_at', 'is', null).execute()).map((m) => m.team_id);
    const accepted = async (personId: number) =>
      (await db.db.selectFrom('rsvps').select('activity_id').where('person_id', '=', personId).where('answer', '=', 'accepted').execute()).map((r) => r.activity_id);
    if (scope.kind === 'team') {
      const audience = await db.db
        .selectFrom('activities')
        .select('id')
        .where((eb) => eb.or([eb('audience_all', '=', true), eb.exists(eb.selectFrom('activity_audience').select('team_id').whereRef('activity_id', '=', 'activities.id').where('team_id', '=', scope.teamId))]))
        .execute();
      return { teams: activeTeams.filter((t) => t === scope.teamId), activities: audience.map((a) => a.id).sort() };
    }
    const personId = scope.kind === 'person' ? scope.personId : scope.kind === 'token' ? personOfToken(scope.tokenHash) : 0;
    const teams = new Set(await memberOf(personId));
    return { teams: activeTeams.filter((t) => teams.has(t)), activities: (await accepted(personId)).sort() };
  };
  const seen = (data: FeedData) => ({ teams: data.teams.map((t) => t.team.id), activities: data.activities.map((a) => a.id).sort() });

  it('reads each scope of interleaved polls, in one statement text per kind', async () => {
    // Someone has accepted something, so a person's activities are not all empty.
    const activity = await db.db.selectFrom('activities').select('id').orderBy('id').executeTakeFirstOrThrow();
    await db.db.insertInto('rsvps').values({ activity_id: activity.id, person_id: ids.barbara, answer: 'accepted', answered_at: clock.now() } as never).execute();
    const scopes: FeedScope[] = [
      { kind: 'team', teamId: 'lodz' },
      { kind: 'person', personId: ids.anna },
      { kind: 'token', tokenHash: hashToken(tokens.barbara!) },
      { kind: 'team', teamId: 'lowicz' },
      { kind: 'person', personId: ids.barbara },
      { kind: 'token', tokenHash: hashToken(tokens.anna!) },
      { kind: 'team', teamId: 'konin' },
      { kind: 'token', tokenHash: hashToken(tokens.piotr!) },
      { kind: 'person', personId: ids.piotr },
      { kind: 'team', teamId: 'lodz' },
    ];
    const texts = new Map<string, Set<string>>();
    for (const scope of scopes) {
      faults.clear();
      const data = await loadFeedData(db.db, scope);
      expect(seen(data), JSON.stringify(scope)).toEqual(await expected(scope));
      const feedSql = faults.queries.map((q) => q.sql).filter((sql) => sql.includes('meeting_series'));
      expect(feedSql).toHaveLength(1);
      if (!texts.has(scope.kind)) texts.set(scope.kind, new Set());
      texts.get(scope.kind)!.add(feedSql[0]!);
      if (scope.kind === 'token') expect(data.owner?.id).toBe(personOfToken(scope.tokenHash));
    }
    for (const [scopeKind, set] of texts) expect(set.size, scopeKind).toBe(1);
    // At least one team feed shows something the other does not: the values really differ per poll.
    expect(seen(await loadFeedData(db.db, { kind: 'team', teamId: 'lodz' })).teams).toEqual(['lodz']);
  });

  it('answers a token that names nobody, and nobody else, as an empty feed', async () => {
    await loadFeedData(db.db, { kind: 'token', tokenHash: hashToken(tokens.anna!) });
    const nobody = await loadFeedData(db.db, { kind: 'token', tokenHash: hashToken('not a token of ours') });
    expect(nobody).toEqual({ teams: [], activities: [], substitutions: [], owner: null });
    await revokeFeedTokens(db.db, ids.piotr, clock);
    expect((await loadFeedData(db.db, { kind: 'token', tokenHash: hashToken(tokens.piotr!) })).owner).toBeNull();
    expect((await loadFeedData(db.db, { kind: 'token', tokenHash: hashToken(tokens.anna!) })).owner?.id).toBe(ids.anna);
  });

  it('reads a team of no such id as empty, not as the team asked before', async () => {
    await loadFeedData(db.db, { kind: 'team', teamId: 'lodz' });
    expect(seen(await loadFeedData(db.db, { kind: 'team', teamId: 'no-such-team' })).teams).toEqual([]);
  });
});
