import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { rsvpRoutes } from '../../src/http/rsvp-routes.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { freshDatabase } from '../support/databases.js';

/**
 * Review of issue 14: "a bad link's page points e-mail-only people to chat commands" and "every
 * text a person reads exists in both languages" was fixed for /me links only. An invitation's
 * answer link that does not work (/rsvp/…, opened from an e-mail) still answers in Polish alone,
 * and tells the person to "answer in the chat message" (rsvp-routes.ts badLink,
 * invitationMessages.pageBadLink), which an e-mail-only invitee does not have.
 */
describe('an invitation answer link that does not work', () => {
  let db: Db;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    db = await freshDatabase('pglite');
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    server = createHttpServer({ routes: rsvpRoutes({ db: db.db, clock, appSecret: 'c'.repeat(40) }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should answer in both languages', async () => {
    const page = await (await fetch(`${base}/rsvp/eyJhIjoxfQ.cut-short`)).text();
    expect(page).toContain('Link nie działa');
    // Fails today: Polish only.
    expect(page).toContain('lang="en"');
  });

  it('should not send someone who got the invitation by e-mail to a chat', async () => {
    const page = await (await fetch(`${base}/rsvp/eyJhIjoxfQ.cut-short`)).text();
    // Fails today: "Prosimy odpowiedzieć w wiadomości na czacie lub poprosić RCPS o nowe zaproszenie."
    expect(page).toMatch(/e-mail/i);
  });
});
