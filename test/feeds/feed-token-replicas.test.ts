import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule } from './feed-schedule.js';
import { serveFeeds, type FeedServer } from './feed-server.js';
import { ZONE } from './ical.js';

/**
 * Before the fast path, every request for a personal feed looked its token up in the database,
 * so a link revoked (or a person erased) on one replica was refused by every replica at the
 * very next request. Now a replica answers from a per-data-version map of tokens, and trusts
 * the version it last heard of: while the other replica's notification has not arrived (a slow
 * or silently stalled LISTEN connection, held here by a proxy), the revoked link keeps working.
 */
const url = process.env.TEST_DATABASE_URL;
const SECRET = 'test-app-secret-for-feed-tokens-0123456789';

describe.runIf(url)('a personal feed link revoked on another replica (PostgreSQL)', () => {
  /** own: this replica, serving feeds (its LISTEN connection goes through the proxy); other: where the person revokes their link or is erased. */
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  const replicas = replicasBehindListenProxy({ schema: `t_feed_token_replicas_${process.pid}`, seed: (db) => importYaml(db, clock, { 'feeds.yaml': feedSchedule() }) });
  let server: FeedServer;
  const get = (path: string) => fetch(`${server.base}${path}`);
  const personId = async (email: string) => (await replicas.other.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    const feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer(ZONE), clock });
    server = await serveFeeds(feeds);
  });
  afterAll(() => server?.close());

  /** This replica serves the link, and knows the current version (so it answers from memory). */
  const servedAndSettled = async (token: string) => {
    await replicas.settled();
    for (let i = 0; i < 2; i++) expect((await get(`/calendars/u/${token}.ics`)).status).toBe(200);
  };

  it('should refuse a link revoked on another replica at the very next request, before the notification arrives', async () => {
    const piotr = await personId(PEOPLE.piotr.email);
    const token = await issueFeedToken(replicas.other.db, piotr, SECRET, clock);
    await servedAndSettled(token);
    replicas.proxy.hold();
    expect(await revokeFeedTokens(replicas.other.db, piotr, clock)).toBe(1);
    // The revocation is committed: the database no longer knows the link.
    expect((await get(`/calendars/u/${token}.ics`)).status, 'the revoked link, asked at this replica').toBe(404);
  });

  it('should refuse the old link once another replica issued a new one, before the notification arrives', async () => {
    const barbara = await personId(PEOPLE.barbara.email);
    const old = await issueFeedToken(replicas.other.db, barbara, SECRET, clock);
    await servedAndSettled(old);
    replicas.proxy.hold();
    await issueFeedToken(replicas.other.db, barbara, SECRET, clock);
    expect((await get(`/calendars/u/${old}.ics`)).status, 'the replaced link, asked at this replica').toBe(404);
  });

  it("should refuse an erased person's link at the very next request, when another replica erased them", async () => {
    const anna = await personId(PEOPLE.anna.email);
    const token = await issueFeedToken(replicas.other.db, anna, SECRET, clock);
    await servedAndSettled(token);
    replicas.proxy.hold();
    expect(await erasePersonalData(replicas.other.db, anna, clock)).toBe(true);
    const response = await get(`/calendars/u/${token}.ics`);
    expect(response.status, "the erased person's link, asked at this replica").toBe(404);
  });
});
