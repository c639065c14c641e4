import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { formRoutes } from '../../src/reports/form-routes.js';
import { formBodyLimit, formLink } from '../../src/reports/report-forms.js';
import { demoDatabase } from '../support/databases.js';

/**
 * Found in review: "every text in Polish and English". A report form post over the limit is answered
 * by form-routes.ts with its own page (it catches BodyTooLargeError before the server's
 * bilingual refusal page) showing error.message, "The request body is larger than 65536
 * bytes.", in English only, on a page in Polish for a Polish-speaking person.
 */
const SECRET = 's'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const clock = new FixedClock('2027-01-04T08:00:00Z');

describe("the 413 of a report form, in the person’s language (PGlite)", () => {
  let db: Db;
  let server: Server;
  let base: string;
  let anna: number;

  beforeAll(async () => {
    db = await demoDatabase('pglite', clock);
    anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    const routes = formRoutes({ db: db.db, clock, publicUrl: PUBLIC, appSecret: SECRET, log: createLogger('silent') });
    server = createHttpServer({ routes, mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should not show a Polish-speaking person an English-only refusal of a form over the limit', async () => {
    const path = new URL(formLink(SECRET, PUBLIC, 'problem', anna, clock.now())).pathname;
    const body = new URLSearchParams({ category: 'other', urgency: 'normal', description: 'x'.repeat(formBodyLimit('problem')) }).toString();
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(413);
    const page = await response.text();
    expect(page).toMatch(/<html lang="pl"/);
    expect(page).not.toContain('The request body is larger than');
    expect(page).toContain('Za dużo danych');
    expect(page).toContain('Too much data');
  });
});
