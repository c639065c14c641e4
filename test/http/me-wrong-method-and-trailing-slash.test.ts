import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { demoDatabase } from '../support/databases.js';

const SECRET = 'b'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/**
 * Review of issue 14 ("a truncated /me link answers raw English JSON … never JSON"): a person's
 * browser still gets raw English JSON on /me. A refused settings change (quiet hours 8–8) is
 * answered with the page at /me/{token}/preferences; pressing Enter in the address bar, or
 * opening it again from history, is a GET of that address: {"error":"method_not_allowed",…}.
 * And a whole, valid link with a trailing "/" (added by mail clients and people) is told it is
 * "niepełny" (cut short), which it is not.
 */
describe('a person on their own /me page', () => {
  let db: Db;
  let server: Server;
  let base: string;
  let good: string;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase('pglite', clock);
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    good = new URL(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now())).pathname;
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should answer the address a refused settings change left in the address bar with a page, not English JSON', async () => {
    const refused = await fetch(`${base}${good}/preferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: PUBLIC },
      body: 'quiet_from=8&quiet_to=8',
    });
    expect(refused.status).toBe(400); // the page with the refusal, at …/preferences
    const again = await fetch(`${base}${good}/preferences`, { headers: { accept: 'text/html' } });
    // Fails today: 405 application/json {"error":"method_not_allowed","message":"GET is not allowed on /me/…/preferences"}
    expect(again.status).toBe(405);
    expect(again.headers.get('allow')).toBe('POST');
    expect(again.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await again.text();
    expect(page).not.toContain('"error"');
    expect(page).toContain('Ten adres służy tylko do wysłania formularza');
    expect(page).toContain('This address only receives a form');
    expect(page).toContain(`href="${good}"`);
  });

  it('should not call a whole link with a trailing slash "cut short"', async () => {
    const response = await fetch(`${base}${good}/`);
    expect(response.status).toBe(200);
    const page = await response.text();
    // Fails today: 404 "…niepełny…" for a link whose 43-character token is whole and valid.
    expect(page).not.toMatch(/niepełny|incomplete/);
  });
});
