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
import { MAX_TEXT } from '../../src/reports/report-input.js';
import { demoDatabase } from '../support/databases.js';

/**
 * Found in review: the status form (report-forms.ts) has three textareas of maxlength MAX_TEXT (5000),
 * but a form body may be at most FORM_BODY_LIMIT (64 KB, read-body.ts) percent-encoded. A
 * Cyrillic letter (a Ukrainian-speaking member) or a Polish ż is 2 UTF-8 bytes, 6 bytes
 * encoded: three full fields are 90 KB, refused with 413 though every field is within what
 * the page itself allows. The limit must hold what the form allows (3 × 5000 × 12 bytes for
 * emoji, plus names), or the form allow less.
 */
const SECRET = 's'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const clock = new FixedClock('2027-01-04T08:00:00Z');

describe('a status form filled to its maxlength (PGlite)', () => {
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

  it('should store a status whose three texts in Ukrainian are each within the fields’ maxlength', async () => {
    const path = new URL(formLink(SECRET, PUBLIC, 'status', anna, clock.now())).pathname;
    const text = 'Зустріч відбулася успішно '.repeat(400).slice(0, MAX_TEXT);
    expect(text.length).toBe(MAX_TEXT);
    const body = new URLSearchParams({ done: text, next: text, people: '12', blockers: text }).toString();
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(200);
  });

  it('should still refuse a post larger than the form filled to its maxlength could be', async () => {
    const path = new URL(formLink(SECRET, PUBLIC, 'status', anna, clock.now())).pathname;
    const body = `done=${'x'.repeat(formBodyLimit('status') + 1)}`;
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(413);
  });
});
