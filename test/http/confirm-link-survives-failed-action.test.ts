import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import { issueFeedToken, liveFeedToken } from '../../src/feeds/feed-tokens.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { askConfirmation } from '../../src/me/confirmations.js';
import { tokenOfLink } from '../../src/me/personal-links.js';
import { dialects } from '../support/databases.js';
import { faultyDemoDatabase, type FaultyDb } from '../support/faults.js';

const SECRET = 'r'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/**
 * Review: the confirmation link is marked used (useLink, its own statement, committed) before the
 * erasure or the feed renewal runs in a transaction of its own. A failure of that transaction
 * leaves nothing done but the link spent: the person's retry of the very link they were sent is
 * refused (404) and nothing is ever erased.
 */
describe.each(dialects)('a confirmation whose action fails on %s', (kind) => {
  let server: Server | undefined;
  let faulty: FaultyDb | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await faulty?.db.close();
  });

  async function setUp(action: 'erase' | 'feed') {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    faulty = await faultyDemoDatabase(kind, clock);
    const db = faulty.db.db;
    const person = await db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    if (action === 'feed') await issueFeedToken(db, person.id, SECRET, clock);
    await askConfirmation(db, SECRET, person, action, clock.now());
    const link = await db.selectFrom('personal_links').select('id').where('person_id', '=', person.id).where('purpose', '=', action === 'erase' ? 'confirm_erase' : 'confirm_feed').executeTakeFirstOrThrow();
    const token = (await tokenOfLink(db, SECRET, link.id))!.token;
    server = createHttpServer({ routes: meRoutes({ db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const confirm = () => fetch(`${base}/me/confirm/${token}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    return { db, person, confirm, faults: faulty.faults };
  }

  it('should let the person retry the erasure link after the erasure failed, and then erase', async () => {
    const { db, person, confirm, faults } = await setUp('erase');
    // The first write inside the erasure's transaction fails (a lost connection, a deadlock).
    faults.failNth(1, { inTransaction: true, writesOnly: true });
    expect((await confirm()).status).toBeGreaterThanOrEqual(500);
    expect((await db.selectFrom('people').select('removed_at').where('id', '=', person.id).executeTakeFirstOrThrow()).removed_at).toBeNull();
    faults.clearRules();
    // The retry of the same link: it was never acted on, so it must still work.
    expect((await confirm()).status).toBe(200);
    expect((await db.selectFrom('people').select('removed_at').where('id', '=', person.id).executeTakeFirstOrThrow()).removed_at).not.toBeNull();
  });

  it('should let the person retry the feed renewal link after the renewal failed', async () => {
    const { db, person, confirm, faults } = await setUp('feed');
    const before = await liveFeedToken(db, person.id, SECRET);
    faults.failNth(1, { inTransaction: true, writesOnly: true });
    expect((await confirm()).status).toBeGreaterThanOrEqual(500);
    expect(await liveFeedToken(db, person.id, SECRET)).toBe(before);
    faults.clearRules();
    expect((await confirm()).status).toBe(200);
    expect(await liveFeedToken(db, person.id, SECRET)).not.toBe(before);
  });
});
