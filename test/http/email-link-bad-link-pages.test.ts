import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { unsubscribeRoutes } from '../../src/http/unsubscribe-page.js';
import { createLogger } from '../../src/log.js';
import { formRoutes } from '../../src/reports/form-routes.js';
import { freshDatabase } from '../support/databases.js';

/**
 * Review of issue 14: "a bad link's page points e-mail-only people to chat commands" was fixed
 * for /me links only. The form link exists *for* e-mail (report-forms.ts: "for e-mail and the
 * terminal, which cannot show a form") and the unsubscribe link is an e-mail's List-Unsubscribe;
 * when either does not work, the page's only ways to a new one are chat commands:
 * "wpisując w czacie „status” lub „problem”", "napisać do bota „ustawienia”", besides waiting
 * for a next message or recopying the old one. Unlike the /me pages, neither names a way by
 * e-mail or through the coordinator for someone who only gets e-mail.
 */
describe('links sent by e-mail that do not work', () => {
  let db: Db;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    db = await freshDatabase('pglite');
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const options = { db: db.db, clock, appSecret: 'd'.repeat(40), publicUrl: 'https://koop.example.org' };
    const routes = [...formRoutes({ ...options, log: createLogger('silent') }), ...unsubscribeRoutes(options)];
    server = createHttpServer({ routes, mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it.each([
    ['the status/problem form link', '/forms/eyJhIjoxfQ.cut-short-token'],
    ['the unsubscribe link', '/unsubscribe/eyJhIjoxfQ.cut-short-token'],
  ])('%s: should name a way to a new link without a chat', async (_, path) => {
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    const page = await response.text();
    expect(page).toMatch(/Link nie działa|nieprawidłowy|nieważny/);
    // Fails today: the only ways named are typing in the chat / writing to the bot.
    expect(page).toMatch(/e-mail|koordynator/i);
  });
});
