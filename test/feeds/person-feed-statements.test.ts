import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { loadFeedData, type FeedData } from '../../src/feeds/load-feed.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, type DatabaseFaults } from '../support/faults.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule, idsOfPeople } from './feed-schedule.js';
import { ZONE } from './ical.js';

const SECRET = 'feed-statements-secret';

/**
 * Issue 17: a personal feed poll used to cost a second statement (the person's substitutions)
 * on every poll, nearly always finding nothing. The substitutions now come in the feed data's
 * own statement; teams the person stands in at without being a member are loaded after it.
 */
describe.each(dialects)('statements of a personal feed on %s', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  const ids: Record<keyof typeof PEOPLE, number> = { anna: 0, piotr: 0, barbara: 0 };

  beforeAll(async () => {
    ({ db, faults } = await faultyDatabase(kind));
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    Object.assign(ids, await idsOfPeople(db.db));
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    await db.db.deleteFrom('meeting_answers').execute();
  });

  /** The statements a flow sends, and its result. */
  const statementsOf = async <T>(flow: () => Promise<T>): Promise<{ result: T; sql: string[] }> => {
    faults.clear();
    const result = await flow();
    return { result, sql: faults.queries.map((q) => q.sql) };
  };
  const standIn = (teamId: string, date: string, personId: number, substituteId: number, answeredAt: Date) =>
    db.db
      .insertInto('meeting_answers')
      .values({ team_id: teamId, occurrence_date: date, person_id: personId, answer: 'not_attending', reason: null, substitute_person_id: substituteId, substitute_email: null, absence_id: null, source: 'chat', answered_at: answeredAt })
      .execute();
  /** What the person's substitutions were read as before issue 17: a plain select, then each other team's feed data. */
  const substitutionsAsBefore = async (personId: number, own: string[]): Promise<FeedData['substitutions']> => {
    const rows = await db.db
      .selectFrom('meeting_answers')
      .select(['team_id', 'occurrence_date', 'answered_at'])
      .where('substitute_person_id', '=', personId)
      .where('answer', '=', 'not_attending')
      .orderBy('occurrence_date')
      .orderBy('team_id')
      .execute();
    const result: NonNullable<FeedData['substitutions']> = [];
    for (const r of rows.filter((r) => !own.includes(r.team_id))) {
      const team = (await loadFeedData(db.db, { kind: 'team', teamId: r.team_id })).teams[0];
      if (team) result.push({ team, date: r.occurrence_date, answeredAt: r.answered_at });
    }
    return result;
  };

  it('should read a personal feed with no substitutions in one statement', async () => {
    const { result, sql } = await statementsOf(() => loadFeedData(db.db, { kind: 'person', personId: ids.anna }));
    expect(sql).toHaveLength(1);
    expect(result.teams.map((t) => t.team.id)).toEqual(['lodz']);
    expect(result.substitutions).toEqual([]);
  });

  it('should poll /calendars/u/<token>.ics with one statement for the feed data besides the token and data version lookups', async () => {
    const token = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock });
    const { result, sql } = await statementsOf(() => feeds.person(token));
    expect(result?.body.toString('utf8')).toContain('UID:pzk-lodz@kooperator');
    expect(sql.filter((s) => /"meeting_answers"|"teams"|"activities"/.test(s))).toHaveLength(1);
  });

  it('should still read one statement, and render the same bytes, when the substitution is at a team of their own', async () => {
    const token = await issueFeedToken(db.db, ids.piotr, SECRET, clock);
    const before = (await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).person(token))!.body.toString('utf8');
    await standIn('lodz', '2027-01-11', ids.anna, ids.piotr, new Date('2027-01-05T08:30:00.123Z'));
    const { result, sql } = await statementsOf(() => loadFeedData(db.db, { kind: 'person', personId: ids.piotr }));
    expect(sql).toHaveLength(1);
    expect(result.substitutions).toEqual([]);
    const after = (await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).person(token))!.body.toString('utf8');
    expect(after).toBe(before);
  });

  it("should show a member of another team the meetings they stand in at, loading only those teams after the feed's statement", async () => {
    // Barbara (lowicz) stands in for Anna at lodz twice and for Piotr at konin once; Anna's own answer without a substitute is no substitution.
    await standIn('lodz', '2027-01-18', ids.anna, ids.barbara, new Date('2027-01-05T08:30:00.123Z'));
    await standIn('konin', '2027-01-12', ids.piotr, ids.barbara, new Date('2027-01-04T10:00:00.007Z'));
    await standIn('lodz', '2027-01-11', ids.piotr, ids.barbara, new Date('2027-01-03T23:59:59.999Z'));
    await db.db
      .insertInto('meeting_answers')
      .values({ team_id: 'lodz', occurrence_date: '2027-01-25', person_id: ids.anna, answer: 'not_attending', reason: 'urlop', substitute_person_id: null, substitute_email: null, absence_id: null, source: 'chat', answered_at: clock.now() })
      .execute();

    const { result, sql } = await statementsOf(() => loadFeedData(db.db, { kind: 'person', personId: ids.barbara }));
    // The feed's statement, then one for each other team (lodz, konin).
    expect(sql).toHaveLength(3);
    expect(result.teams.map((t) => t.team.id)).toEqual(['lowicz']);
    expect(result.substitutions).toEqual(await substitutionsAsBefore(ids.barbara, ['lowicz']));
    expect(result.substitutions!.map((s) => [s.team.team.id, s.date, s.answeredAt.toISOString()])).toEqual([
      ['lodz', '2027-01-11', '2027-01-03T23:59:59.999Z'],
      ['konin', '2027-01-12', '2027-01-04T10:00:00.007Z'],
      ['lodz', '2027-01-18', '2027-01-05T08:30:00.123Z'],
    ]);

    const token = await issueFeedToken(db.db, ids.barbara, SECRET, clock);
    const feed = (await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock }).person(token))!.body.toString('utf8');
    for (const uid of ['pzk-lodz-2027-01-11-substitute', 'pzk-konin-2027-01-12-substitute', 'pzk-lodz-2027-01-18-substitute']) expect(feed).toContain(`UID:${uid}@kooperator`);
    expect(feed).not.toContain('pzk-lodz-2027-01-25-substitute');
    expect(feed).toContain('UID:pzk-lowicz@kooperator');
  });
  /** The statements of a flow that read data (not the data version, which the watch may read once). */
  const dataStatements = (sql: string[]) => sql.filter((s) => !/data_version/.test(s));
  const sharedFeeds = () => new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: true });
  /** The bytes of the person's feed as the one-writer path renders them (token read, then the person's feed). */
  const bytesOfPerson = async (token: string) => (await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: false }).person(token))!.body.toString('utf8');

  it('should check the token and read the feed in one statement when the feed is not kept (a shared database)', async () => {
    const token = await issueFeedToken(db.db, ids.barbara, SECRET, clock);
    await standIn('lodz', '2027-01-18', ids.anna, ids.barbara, new Date('2027-01-05T08:30:00.123Z'));
    const feeds = sharedFeeds();
    const { result, sql } = await statementsOf(() => feeds.person(token));
    // The token's statement, then the one other team Barbara stands in at (as before).
    expect(dataStatements(sql)).toHaveLength(2);
    expect(dataStatements(sql)[0]).toMatch(/"feed_tokens"|feed_tokens/);
    expect(result!.body.toString('utf8')).toBe(await bytesOfPerson(token));
    expect(result!.body.toString('utf8')).toContain('UID:pzk-lodz-2027-01-18-substitute@kooperator');
  });

  it('should serve a kept feed after one statement that checks the token, with the same bytes', async () => {
    const token = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = sharedFeeds();
    const first = await statementsOf(() => feeds.person(token));
    expect(dataStatements(first.sql)).toHaveLength(1);
    const second = await statementsOf(() => feeds.person(token));
    expect(dataStatements(second.sql)).toHaveLength(1);
    expect(dataStatements(second.sql)[0]).not.toMatch(/"teams"|"activities"/);
    expect(second.result!.etag).toBe(first.result!.etag);
    expect(second.result!.body.toString('utf8')).toBe(await bytesOfPerson(token));
  });

  it('should refuse a revoked token at its next poll, whether its feed is kept or not, and a removed person\'s', async () => {
    const feeds = sharedFeeds();
    const kept = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    expect(await feeds.person(kept)).toBeDefined();
    // Revoked on "another replica": this FeedService is not told (no invalidate), the version is not read again.
    await revokeFeedTokens(db.db, ids.anna, clock);
    expect(await feeds.person(kept)).toBeUndefined();
    expect(await sharedFeeds().person(kept)).toBeUndefined();
    const piotr = await issueFeedToken(db.db, ids.piotr, SECRET, clock);
    expect(await feeds.person(piotr)).toBeDefined();
    await db.db.updateTable('people').set({ removed_at: clock.now() }).where('id', '=', ids.piotr).execute();
    try {
      expect(await feeds.person(piotr)).toBeUndefined();
      expect(await sharedFeeds().person(piotr)).toBeUndefined();
    } finally {
      await db.db.updateTable('people').set({ removed_at: null }).where('id', '=', ids.piotr).execute();
    }
  });

  it('should answer an unknown token with nothing after one statement, and a malformed one without any', async () => {
    const feeds = sharedFeeds();
    const unknown = await statementsOf(() => feeds.person('x'.repeat(43)));
    expect(unknown.result).toBeUndefined();
    expect(dataStatements(unknown.sql)).toHaveLength(1);
    const malformed = await statementsOf(() => feeds.person('../../etc/passwd'));
    expect(malformed.result).toBeUndefined();
    expect(dataStatements(malformed.sql)).toHaveLength(0);
  });
});
