import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startingRoutes } from '../../src/http/health-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import type { Route } from '../../src/http/router.js';
import { createHttpServer } from '../../src/http/server.js';
import { loggablePath } from '../../src/http/server-pages.js';
import { createLogger } from '../../src/log.js';

/**
 * The server's own answers (starting, not found, an error on our side): a browser gets a page
 * in Polish and English, a program the JSON it reads.
 *
 * Found in review: "every text in Polish and English". While the service starts (and after every
 * restart, for as long as migrations and loading take) each page but /healthz, /readyz and
 * /metrics answered 503 with {"message":"Kooperator is starting; try again in a second."}
 * (health-routes.ts startingRoutes): a member who opens an RSVP or report link from an e-mail
 * then saw raw JSON in English only.
 */
const BROWSER = { accept: 'text/html,application/xhtml+xml', 'accept-language': 'pl-PL,pl' };
const TOKEN = 'eyJwdXJwb3NlIjoicnN2cCIsInN1YmplY3QiOiIxIn0.c2lnbmF0dXJlLW9mLXRoZS1saW5rLXRva2Vu';

async function serve(routes: Route[], log = createLogger('silent')): Promise<{ server: Server; base: string }> {
  const server = createHttpServer({ routes, mounts: [], metrics: createMetrics(), log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const close = (server?: Server) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

describe('a page opened while the service starts', () => {
  let s: { server: Server; base: string };
  beforeAll(async () => (s = await serve(startingRoutes())));
  afterAll(() => close(s?.server));

  it('should tell a browser in Polish (and English) that the service is starting', async () => {
    const response = await fetch(`${s.base}/rsvp/abc.def`, { headers: BROWSER });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    const text = await response.text();
    expect(text).toMatch(/<html lang="pl"/);
    expect(text).toMatch(/uruchamia|Uruchamia|chwil/);
    expect(text).toContain('Kooperator is starting');
  });

  it('should keep answering a program in JSON', async () => {
    const response = await fetch(`${s.base}/api/messages`, { method: 'POST', headers: { accept: 'application/json' }, body: '{}' });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'starting' });
  });
});

describe('an address with nothing at it, and an error on our side', () => {
  const lines: Record<string, unknown>[] = [];
  let s: { server: Server; base: string };
  const failing: Route = {
    method: 'GET',
    name: 'failing',
    path: /^\/rsvp\/([^/]+)$/,
    handler: () => {
      throw new Error('boom');
    },
  };
  beforeAll(async () => (s = await serve([failing], pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }))));
  afterAll(() => close(s?.server));

  it('should show a browser a 404 page in Polish and English, and a program JSON', async () => {
    const page = await fetch(`${s.base}/nowhere`, { headers: BROWSER });
    expect(page.status).toBe(404);
    const text = await page.text();
    expect(text).toMatch(/<html lang="pl"/);
    expect(text).toContain('Pod tym adresem nie ma strony');
    expect(text).toContain('There is no page at this address');
    const json = await fetch(`${s.base}/nowhere`);
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: 'not_found' });
  });

  it('should show a browser a 500 page in both languages with the error id, and log the path without the link token', async () => {
    lines.length = 0;
    const response = await fetch(`${s.base}/rsvp/${TOKEN}?lang=pl`, { headers: BROWSER });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(lines).toHaveLength(1);
    const id = String(lines[0]!.errorId);
    expect(text).toContain(`błąd ${id}`);
    expect(text).toContain(`error ${id}`);
    expect(text).not.toContain('boom');
    expect(JSON.stringify(lines[0])).not.toContain(TOKEN.slice(0, 20));
    expect(JSON.stringify(lines[0])).not.toContain(TOKEN.split('.')[1]!);
    expect(lines[0]).toMatchObject({ path: '/rsvp/…', method: 'GET' });
    const json = await fetch(`${s.base}/rsvp/${TOKEN}`);
    expect(await json.json()).toMatchObject({ error: 'internal' });
  });
});

describe('loggablePath', () => {
  it.each([
    [`/me/${TOKEN}/preferences?x=1`, '/me/…/preferences'],
    [`/calendars/u/${TOKEN}.ics`, '/calendars/u/…'],
    ['/calendars/teams/lodz.ics', '/calendars/teams/lodz.ics'],
    [`/unsubscribe/${'a'.repeat(40)}`, '/unsubscribe/…'],
    ['/healthz', '/healthz'],
    [undefined, ''],
  ])('should log %s as %s', (url, expected) => {
    expect(loggablePath(url)).toBe(expected);
  });
});
