import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import { FeedService, type RenderedFeed } from '../../src/feeds/feed-service.js';
import { issueFeedToken } from '../../src/feeds/feed-tokens.js';
import { replicasBehindListenProxy } from '../support/proxied-replicas.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule } from './feed-schedule.js';
import { serveFeeds, type FeedServer } from './feed-server.js';
import { ZONE } from './ical.js';

const url = process.env.TEST_DATABASE_URL;
const SECRET = 'hostile-token-feed-replicas-secret';

/**
 * Hostile review of b3b2d89, GUARDS (PostgreSQL, another replica whose notifications are held):
 * the cold poll now keeps data read in its one statement under the version this replica knew
 * before it. Data newer than that version may be kept under it, never older: once the held
 * notification arrives, nothing read before the other replica's change is served again; a link
 * replaced there is refused here at once, kept feed or not; and over HTTP a revoked link is a
 * 404 while the new one answers 304 to the ETag of the old bytes when nothing else changed.
 */
describe.runIf(url)('hostile guards: token feed polls while another replica changes things (PostgreSQL)', () => {
  const clock = new FixedClock('2027-01-15T12:00:00Z');
  const replicas = replicasBehindListenProxy({ schema: `t_hostile_token_feeds_${process.pid}`, seed: (db) => importYaml(db, clock, { 'feeds.yaml': feedSchedule() }) });
  let server: FeedServer;
  let feeds: FeedService;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.base}${path}`, { headers });
  const personId = async (email: string) => (await replicas.other.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const text = (feed: RenderedFeed | undefined) => feed?.body.toString('utf8');
  /** What the other replica renders now, from nothing kept. */
  const fresh = async (token: string) => text(await new FeedService({ db: replicas.other.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: true }).person(token));

  beforeAll(async () => {
    feeds = new FeedService({ db: replicas.own.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: true });
    server = await serveFeeds(feeds);
  });
  afterAll(() => server?.close());

  it('GUARD: a cold read while a notification is held serves the new data (kept under the older version), a replaced link is refused at once, and after the notification the same bytes, 304 to their ETag', async () => {
    const piotr = await personId(PEOPLE.piotr.email);
    const old = await issueFeedToken(replicas.other.db, piotr, SECRET, clock);
    await replicas.settled();
    const before = text(await feeds.person(old))!;
    expect(before).toContain('UID:pzk-lodz@kooperator');
    replicas.proxy.hold();
    await replicas.other.db.updateTable('memberships').set({ removed_at: clock.now() }).where('person_id', '=', piotr).where('team_id', '=', 'lodz').execute();
    const replaced = await issueFeedToken(replicas.other.db, piotr, SECRET, clock);
    expect(await feeds.person(old), 'the replaced link, its feed kept here').toBeUndefined();
    // The new link is read cold here, under the version this replica knew before both changes.
    const cold = text(await feeds.person(replaced))!;
    expect(cold).toBe(await fresh(replaced));
    expect(cold).not.toContain('UID:pzk-lodz@kooperator');
    expect(await feeds.person(old)).toBeUndefined();
    replicas.proxy.release();
    await replicas.settled();
    expect(text(await feeds.person(replaced))).toBe(await fresh(replaced));
    expect((await get(`/calendars/u/${old}.ics`)).status).toBe(404);
    const response = await get(`/calendars/u/${replaced}.ics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(cold);
    expect((await get(`/calendars/u/${replaced}.ics`, { 'if-none-match': response.headers.get('etag')! })).status).toBe(304);
  });
});
