import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import { currentDataVersion } from '../../src/db/data-version-watch.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService, MAX_FEEDS } from '../../src/feeds/feed-service.js';
import { importYaml } from '../support/schedule-builder.js';
import { freshDatabase } from '../support/databases.js';
import { feedSchedule } from './feed-schedule.js';
import { ZONE } from './ical.js';

/** What FeedService keeps in memory, read from its private fields (the bound is the promise under test). */
type Kept = { tokens: { people: Map<string, unknown> }; cache: Map<string, unknown> };
const kept = (feeds: FeedService) => feeds as unknown as Kept;
const randomToken = () => randomBytes(32).toString('base64url');

describe('memory kept by the feed service under a flood of requests (PGlite)', () => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  beforeAll(async () => {
    db = await freshDatabase('pglite');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('should keep at most 10,000 token answers per data version, however many random tokens arrive at once', async () => {
    // The only writer (PGlite): token answers are kept per data version (on a shared database none are).
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: false });
    await currentDataVersion(db.db);
    await feeds.person(randomToken());
    // A scan of random tokens, many connections at once: every request captures the map before
    // any lookup returns, so the size check before the lookup never sees the others.
    await Promise.all(Array.from({ length: 15_000 }, () => feeds.person(randomToken())));
    expect(kept(feeds).tokens.people.size).toBeLessThanOrEqual(10_000);
  }, 120_000);

  it('should not keep an entry for any team id asked for that does not exist', async () => {
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock });
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    expect(await feeds.team('lodz')).toBeDefined();
    // GET /calendars/teams/<anything matching [a-z0-9-]+>.ics, no authentication needed. More
    // than MAX_FEEDS: kept, they would also push the real feed out of the bounded cache.
    for (let i = 0; i < 2 * MAX_FEEDS; i++) expect(await feeds.team(`no-such-team-${i}`)).toBeUndefined();
    expect([...kept(feeds).cache.keys()]).toEqual(['team:lodz']);
  }, 120_000);
});
