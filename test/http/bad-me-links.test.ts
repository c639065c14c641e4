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
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'b'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/**
 * Issue 14: a truncated /me link answered raw English JSON, and a bad link's page sent people
 * who only get e-mail to chat commands. Every bad /me link now gets one page in both languages,
 * whatever the client accepts, with its reason and every way to a new link, e-mail included.
 */
describe.each(dialects)('a bad personal link on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  let good: string;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
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

  const expectHelpfulPage = async (response: Response, status: number, reasonPl: RegExp, reasonEn: RegExp) => {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toMatch(reasonPl);
    expect(page).toMatch(reasonEn);
    // Every channel: e-mail first, since e-mail-only people have no chat to type into.
    expect(page).toMatch(/e-mail/i);
    expect(page).toContain('ustawienia');
    expect(page).toContain('settings');
    expect(page).toContain('lang="en"');
    expect(page).not.toContain('{"error"');
  };

  it('should answer a link cut short with a page in both languages, also to a client that does not ask for HTML', async () => {
    for (const path of [good.slice(0, -5), '/me/', '/me']) {
      await expectHelpfulPage(await fetch(`${base}${path}`, { headers: { accept: '*/*' } }), 404, /niepełny/, /incomplete/);
    }
  });

  it('should still answer a whole link with the wrong method as before (405), not as a bad link', async () => {
    expect((await fetch(`${base}${good}/links/end`)).status).toBe(405);
    expect((await fetch(`${base}${good}`)).status).toBe(200);
  });

  it('should say why an unknown link does not work and how to get a new one by e-mail or chat', async () => {
    await expectHelpfulPage(await fetch(`${base}/me/${'x'.repeat(43)}`), 404, /niepełny/, /incomplete/);
  });

  it('should answer a confirmation link that does not work with the same ways, by e-mail too, to the page where it is asked for again', async () => {
    const response = await fetch(`${base}/me/confirm/${'y'.repeat(43)}`);
    expect(response.status).toBe(404);
    const page = await response.text();
    expect(page).toContain('link potwierdzający');
    expect(page).toContain('confirmation link');
    expect(page).toMatch(/e-mail/i);
    expect(page).not.toContain('Nowy link można dostać w czacie');
  });

  it('should say an expired link expired (410), with the same ways to a new one', async () => {
    const later = new FixedClock(new Date(clock.now().getTime() + 31 * 86_400_000).toISOString());
    const lateServer = createHttpServer({ routes: meRoutes({ db: db.db, clock: later, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => lateServer.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(lateServer.address() as AddressInfo).port}${good}`);
      await expectHelpfulPage(response, 410, /wygasł/, /expired/);
    } finally {
      lateServer.closeAllConnections();
      await new Promise<void>((resolve) => lateServer.close(() => resolve()));
    }
  });
});
