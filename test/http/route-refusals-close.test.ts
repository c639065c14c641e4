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
import { rawExchange } from './raw-exchange.js';

const FORM = 'application/x-www-form-urlencoded';

const SECRET = 'b'.repeat(40);
const PUBLIC = 'https://koop.example.org';

/**
 * Brief of h-misc: 404 and 405 closed a connection whose declared body they did not read, but
 * a route's own refusal before its read (a bad or expired link, a gone person, a post from
 * another site) kept it: Node then read the whole declared body (5 MB here, or gigabytes) to
 * reuse the connection, so the client held the socket for as long as it kept sending. Every
 * answer written before a declared body was read to its end now closes the connection.
 */
describe.each(dialects)('a route refusing before it reads a body, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let port: number;
  let good: string;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    const anna = (await db.db.selectFrom('people').select('id').where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow()).id;
    good = new URL(await personalPageUrl(db.db, PUBLIC, SECRET, anna, clock.now())).pathname;
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  const cases = () => [
    ['a bad link (404)', `POST /me/${'A'.repeat(43)}/feed HTTP/1.1`, 404],
    ['a post from another site (403)', `POST ${good}/feed HTTP/1.1\r\nOrigin: https://evil.example`, 403],
  ] as const;

  it('should end the connection after its answer, without reading the rest of a 5 MB body', async () => {
    for (const [name, head, status] of cases()) {
      const { answer, ended } = await rawExchange(port, head, { declared: 5 * 1024 * 1024, sent: 16 * 1024, contentType: FORM });
      expect(answer, name).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer.toLowerCase(), name).toContain('\r\nconnection: close\r\n');
      expect(ended, name).toBe(true);
    }
  });

  it('should keep the connection of a refusal to a request without a body, and answer the next request on it', async () => {
    // What the closing must not take: a GET of a bad link sends no body, so nothing is left unread.
    const { answer, ended } = await rawExchange(port, `GET /me/${'A'.repeat(43)} HTTP/1.1`, { then: 'GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', contentType: FORM, withinMs: 500 });
    expect(answer.match(/HTTP\/1\.1 \d{3} /g)).toEqual(['HTTP/1.1 404 ', 'HTTP/1.1 404 ']);
    expect(answer.toLowerCase()).not.toContain('\r\nconnection: close\r\n');
    expect(ended).toBe(false);
  });
});
