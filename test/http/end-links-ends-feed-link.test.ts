import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { issueFeedToken, liveFeedToken } from '../../src/feeds/feed-tokens.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'e'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/**
 * Review: the personal page shows the person's live calendar feed link to whoever holds the
 * page link. Its own advice for a page link others may have seen (a forwarded e-mail) is
 * "Zakończ wszystkie moje linki"; endAllLinks (personal-links.ts) ends page links and
 * confirmations only, so the feed link the forwarded page showed keeps working: the reader of
 * the forwarded mail keeps the person's calendar (meetings, activities they accepted).
 */
describe.each(dialects)('ending all links after a forwarded page link on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should no longer let the feed link the page showed work', async () => {
    const marta = (await db.db.selectFrom('people').select('id').where('email', '=', 'marta.grabowska@example.org').executeTakeFirstOrThrow()).id;
    const feed = await issueFeedToken(db.db, marta, SECRET, clock);
    const page = new URL(await personalPageUrl(db.db, PUBLIC, SECRET, marta, clock.now())).pathname;
    // The reader of a forwarded mail opens the page and sees the calendar link.
    const shown = await (await fetch(`${base}${page}`)).text();
    expect(shown).toContain(feed);
    // Marta follows the page's advice.
    expect((await fetch(`${base}${page}/links/end`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(200);
    expect((await fetch(`${base}${page}`)).status).toBe(404);
    expect(await liveFeedToken(db.db, marta, SECRET)).not.toBe(feed);
  });
});
