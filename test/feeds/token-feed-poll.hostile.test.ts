import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService, type RenderedFeed } from '../../src/feeds/feed-service.js';
import { hashToken, issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { dialects } from '../support/databases.js';
import { faultyDatabase, InjectedFault, type DatabaseFaults } from '../support/faults.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule, idsOfPeople } from './feed-schedule.js';
import { serveFeeds } from './feed-server.js';
import { ZONE } from './ical.js';

const SECRET = 'hostile-token-feed-secret';

/**
 * Hostile review of b3b2d89 (a personal feed poll on a shared database checks the token and
 * reads the feed in one statement; a kept feed after one token check). GUARDS: each attack here
 * found nothing on b3b2d89; they pin the behaviour the commit must keep: what a shared poll
 * serves is always byte for byte what the one-writer path (token read, then the person's feed)
 * renders at that moment, or nothing for a token that names nobody now.
 */
describe.each(dialects)('hostile guards: token feed polls on a shared database (%s)', (kind) => {
  let db: Db;
  let faults: DatabaseFaults;
  const clock = new FixedClock('2027-01-15T12:00:00Z');
  const ids: Record<keyof typeof PEOPLE, number> = { anna: 0, piotr: 0, barbara: 0 };

  beforeAll(async () => {
    ({ db, faults } = await faultyDatabase(kind));
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    Object.assign(ids, await idsOfPeople(db.db));
  });
  afterAll(async () => db?.close());
  beforeEach(async () => {
    clock.set('2027-01-15T12:00:00Z');
    faults.clearRules();
    await db.db.deleteFrom('meeting_answers').execute();
  });

  const shared = () => new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: true });
  const text = (feed: RenderedFeed | undefined) => feed?.body.toString('utf8');
  /** What the one-writer path renders for the token now (a fresh service: nothing kept). */
  const reference = async (token: string) => text(await new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: false }).person(token));
  const dataStatements = () => faults.queries.map((q) => q.sql).filter((s) => !/data_version/.test(s));
  const newPerson = async (name: string, email: string, teams: string[] = []) => {
    const { id } = await db.db.insertInto('people').values({ email, name, institution: null, language: 'pl', channels: '[]', staff_role: null, source: 'test', removed_at: null }).returning('id').executeTakeFirstOrThrow();
    for (const team of teams) await db.db.insertInto('memberships').values({ team_id: team, person_id: id, role: 'member', removed_at: null }).execute();
    return id;
  };

  it('GUARD: a kept feed is not served after the person left a team (another replica), nor after they joined one', async () => {
    const token = await issueFeedToken(db.db, ids.piotr, SECRET, clock);
    const feeds = shared();
    const first = text(await feeds.person(token))!;
    expect(first).toContain('UID:pzk-lodz@kooperator');
    expect(text(await feeds.person(token))).toBe(first); // kept
    await db.db.updateTable('memberships').set({ removed_at: clock.now() }).where('person_id', '=', ids.piotr).where('team_id', '=', 'lodz').execute();
    try {
      const left = text(await feeds.person(token))!;
      expect(left).not.toContain('UID:pzk-lodz@kooperator');
      expect(left).toBe(await reference(token));
      expect(text(await feeds.person(token))).toBe(left);
      await db.db.insertInto('memberships').values({ team_id: 'lowicz', person_id: ids.piotr, role: 'member', removed_at: null }).execute();
      const joined = text(await feeds.person(token))!;
      expect(joined).toContain('UID:pzk-lowicz@kooperator');
      expect(joined).toBe(await reference(token));
    } finally {
      await db.db.deleteFrom('memberships').where('person_id', '=', ids.piotr).where('team_id', '=', 'lowicz').execute();
      await db.db.updateTable('memberships').set({ removed_at: null }).where('person_id', '=', ids.piotr).where('team_id', '=', 'lodz').execute();
    }
  });

  it('GUARD: a re-issued token on another replica: the old link 404 whether kept or not, the new one the same bytes', async () => {
    const old = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = shared();
    const other = shared();
    const before = text(await feeds.person(old))!;
    const fresh = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    expect(await other.person(old)).toBeUndefined();
    // The new token kept first (under the person's key), then the old one asked of the same service.
    expect(text(await feeds.person(fresh))).toBe(before);
    expect(await feeds.person(old)).toBeUndefined();
    expect(await feeds.person(old)).toBeUndefined();
    expect(text(await feeds.person(fresh))).toBe(before);
    expect(text(await other.person(fresh))).toBe(before);
    // Revoked altogether, while both services keep the feed.
    await revokeFeedTokens(db.db, ids.anna, clock);
    for (const service of [feeds, other]) for (const token of [old, fresh]) expect(await service.person(token)).toBeUndefined();
  });

  it("GUARD: an erased person's link is refused while their feed is kept, and a removed person's until restored", async () => {
    const ewa = await newPerson('Ewa Erased', 'ewa.erased@example.org', ['konin']);
    const token = await issueFeedToken(db.db, ewa, SECRET, clock);
    const feeds = shared();
    expect(text(await feeds.person(token))).toBe(await reference(token));
    await db.db.updateTable('people').set({ removed_at: clock.now() }).where('id', '=', ewa).execute();
    expect(await feeds.person(token)).toBeUndefined();
    await db.db.updateTable('people').set({ removed_at: null }).where('id', '=', ewa).execute();
    expect(text(await feeds.person(token))).toBe(await reference(token));
    expect(text(await feeds.person(token))).toBe(await reference(token));
    expect(await erasePersonalData(db.db, ewa, clock)).toBe(true);
    expect(await feeds.person(token)).toBeUndefined();
    expect(await shared().person(token)).toBeUndefined();
  });

  it("GUARD: the turn of a month: last month's kept bytes are not served, the new month's equal a fresh render", async () => {
    const token = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = shared();
    clock.set('2027-01-31T23:59:59.999Z');
    const january = text(await feeds.person(token))!;
    expect(text(await feeds.person(token))).toBe(january);
    clock.set('2027-02-01T00:00:00Z');
    const february = text(await feeds.person(token))!;
    expect(february).toBe(await reference(token));
    expect(february).not.toBe(january);
    expect(text(await feeds.person(token))).toBe(february);
  });

  it('GUARD: a person with no teams and no activities gets the same (empty) feed as the person path, and it is kept', async () => {
    const zofia = await newPerson('Zofia Bez Zespołu', 'zofia.nikt@example.org');
    const token = await issueFeedToken(db.db, zofia, SECRET, clock);
    const feeds = shared();
    const first = text(await feeds.person(token))!;
    expect(first).toBe(await reference(token));
    expect(first).not.toContain('BEGIN:VEVENT');
    faults.clear();
    expect(text(await feeds.person(token))).toBe(first);
    expect(dataStatements()).toHaveLength(1);
  });

  it('GUARD: a stand-in at another team and accepted activities: the same bytes on the cold and the kept poll, and after the stand-in is added to a kept feed', async () => {
    const token = await issueFeedToken(db.db, ids.barbara, SECRET, clock);
    await db.db.insertInto('rsvps').values({ activity_id: 'konsultacje-lowicz', person_id: ids.barbara, answer: 'accepted', answered_at: clock.now() }).execute();
    try {
      const feeds = shared();
      const plain = text(await feeds.person(token))!;
      expect(plain).toBe(await reference(token));
      await db.db
        .insertInto('meeting_answers')
        .values({ team_id: 'konin', occurrence_date: '2027-01-26', person_id: ids.anna, answer: 'not_attending', reason: null, substitute_person_id: ids.barbara, substitute_email: null, absence_id: null, source: 'chat', answered_at: new Date('2027-01-05T08:30:00.123Z') })
        .execute();
      const standing = text(await feeds.person(token))!;
      expect(standing).toContain('UID:pzk-konin-2027-01-26-substitute@kooperator');
      expect(standing).toBe(await reference(token));
      expect(text(await feeds.person(token))).toBe(standing);
    } finally {
      await db.db.deleteFrom('rsvps').where('person_id', '=', ids.barbara).execute();
    }
  });

  it('GUARD: concurrent cold polls of one token and of different tokens each get their own feed', async () => {
    const tokens = { anna: await issueFeedToken(db.db, ids.anna, SECRET, clock), piotr: await issueFeedToken(db.db, ids.piotr, SECRET, clock), barbara: await issueFeedToken(db.db, ids.barbara, SECRET, clock) };
    const expected = { anna: await reference(tokens.anna), piotr: await reference(tokens.piotr), barbara: await reference(tokens.barbara) };
    expect(new Set(Object.values(expected)).size).toBe(3);
    const feeds = shared();
    const order = (['anna', 'piotr', 'barbara', 'anna', 'barbara', 'piotr', 'anna'] as const);
    const results = await Promise.all(order.map((who) => feeds.person(tokens[who])));
    results.forEach((feed, i) => expect(text(feed), order[i]).toBe(expected[order[i]!]));
    const again = await Promise.all(order.map((who) => feeds.person(tokens[who])));
    again.forEach((feed, i) => expect(text(feed), order[i]).toBe(expected[order[i]!]));
  });

  it('GUARD: the token never reaches the SQL text; quotes, comments and a known hash as the token name nobody', async () => {
    const token = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = shared();
    faults.clear();
    expect(await feeds.person(token)).toBeDefined();
    for (const q of faults.queries) {
      expect(q.sql).not.toContain(token);
      expect(q.sql).not.toContain(hashToken(token));
    }
    for (const evil of [`' or 1=1 --${'a'.repeat(20)}`, `${'a'.repeat(20)}') or true --`, hashToken(token), `${'-'.repeat(20)}`, `${'_'.repeat(100)}`, 'x'.repeat(101)]) {
      expect(await feeds.person(evil), evil).toBeUndefined();
    }
  });

  it('GUARD: a failed combined statement throws the fault, keeps nothing, and the next poll reads and renders afresh', async () => {
    const token = await issueFeedToken(db.db, ids.anna, SECRET, clock);
    const feeds = shared();
    faults.failFirst(/feed_tokens/);
    await expect(feeds.person(token)).rejects.toBeInstanceOf(InjectedFault);
    faults.clear();
    expect(text(await feeds.person(token))).toBe(await reference(token));
    // The second statement of a poll (a stand-in's other team) failing keeps nothing either.
    const barbara = await issueFeedToken(db.db, ids.barbara, SECRET, clock);
    await db.db
      .insertInto('meeting_answers')
      .values({ team_id: 'lodz', occurrence_date: '2027-01-18', person_id: ids.anna, answer: 'not_attending', reason: null, substitute_person_id: ids.barbara, substitute_email: null, absence_id: null, source: 'chat', answered_at: clock.now() })
      .execute();
    faults.failFirst(/"teams"\."id" = \$/);
    await expect(feeds.person(barbara)).rejects.toBeInstanceOf(InjectedFault);
    expect(text(await feeds.person(barbara))).toBe(await reference(barbara));
    // A failed token check on the kept path keeps the feed, and answers afresh next time.
    faults.failFirst(/feed_tokens/);
    await expect(feeds.person(token)).rejects.toBeInstanceOf(InjectedFault);
    expect(text(await feeds.person(token))).toBe(await reference(token));
  });
  it('GUARD: a name JSON escapes (quotes, backslash, newline, emoji, U+2028) comes out of the owner object as the person path reads it', async () => {
    const odd = await newPerson('Zofia "Zosia" \\ O\'Brien\n😀\u2028; Nowa, Ł', 'zofia.odd@example.org', ['lodz']);
    const token = await issueFeedToken(db.db, odd, SECRET, clock);
    const feeds = shared();
    const first = text(await feeds.person(token))!;
    expect(first).toBe(await reference(token));
    expect(text(await feeds.person(token))).toBe(first);
  });

  it('GUARD: over HTTP a failed combined statement is a 500 (not a hang, not a kept failure), then 200, 304 to the ETag, 404 once revoked', async () => {
    const token = await issueFeedToken(db.db, ids.piotr, SECRET, clock);
    const server = await serveFeeds(shared());
    try {
      const path = `${server.base}/calendars/u/${token}.ics`;
      faults.failFirst(/feed_tokens/);
      const failed = await fetch(path);
      expect(failed.status).toBe(500);
      expect(await failed.text()).not.toContain('injected');
      const ok = await fetch(path);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toBe(await reference(token));
      expect((await fetch(path, { headers: { 'if-none-match': ok.headers.get('etag')! } })).status).toBe(304);
      await revokeFeedTokens(db.db, ids.piotr, clock);
      expect((await fetch(path, { headers: { 'if-none-match': ok.headers.get('etag')! } })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
