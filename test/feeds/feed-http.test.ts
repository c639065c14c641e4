import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { hashToken, issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { feedRoutes } from '../../src/http/feed-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { PEOPLE, feedSchedule } from './feed-schedule.js';
import { ZONE, parseCalendar, uids } from './ical.js';

const SECRET = 'test-app-secret-for-feed-tokens-0123456789';
const randomToken = () => randomBytes(32).toString('base64url'); // 43 characters, like a real one

describe.each(dialects)('feed HTTP routes on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
  const personId = async (email: string) => (await db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, { 'feeds.yaml': feedSchedule() });
    // There is no RSVP feature yet: answers are written straight into the table.
    const anna = await personId(PEOPLE.anna.email);
    await db.db
      .insertInto('rsvps')
      .values([
        { activity_id: 'coaching-lodz', person_id: anna, answer: 'accepted', answered_at: clock.now() },
        { activity_id: 'szkolenie-all', person_id: anna, answer: 'accepted', answered_at: clock.now() },
        { activity_id: 'warsztaty-lodz-lowicz', person_id: anna, answer: 'declined', answered_at: clock.now() },
      ])
      .execute();
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock });
    server = createHttpServer({ routes: feedRoutes(feeds), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await db?.close();
  });

  it('should serve all.ics as text/calendar in UTF-8 with an ETag', async () => {
    const response = await get('/calendars/all.ics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('etag')).toMatch(/^".+"$/);
    const body = await response.text();
    expect(body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(uids(parseCalendar(body))).toContain('pzk-lodz@kooperator');
  });

  it('should answer 304 with no body to If-None-Match with the current ETag, and 200 to another', async () => {
    for (const path of ['/calendars/all.ics', '/calendars/teams/lodz.ics']) {
      const first = await get(path);
      const etag = first.headers.get('etag')!;
      const body = await first.text();
      const again = await get(path, { 'if-none-match': etag });
      expect(again.status, path).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(await again.text()).toBe('');
      const other = await get(path, { 'if-none-match': '"something-else"' });
      expect(other.status, path).toBe(200);
      expect(await other.text()).toBe(body);
    }
  });

  it('should answer 404 for an unknown team and for a token that never existed', async () => {
    expect((await get('/calendars/teams/nope.ics')).status).toBe(404);
    const response = await get(`/calendars/u/${randomToken()}.ics`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).not.toContain('text/calendar');
  });

  it("should serve a person's feed with their team's meetings and only the activities they accepted", async () => {
    const token = await issueFeedToken(db.db, await personId(PEOPLE.anna.email), SECRET, clock);
    const response = await get(`/calendars/u/${token}.ics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('private');
    expect(uids(parseCalendar(await response.text()))).toEqual([
      'activity-coaching-lodz@kooperator',
      'activity-szkolenie-all@kooperator',
      'pzk-lodz@kooperator',
    ]);
  });

  it('should answer a revoked token exactly as one that never existed', async () => {
    const piotr = await personId(PEOPLE.piotr.email);
    const token = await issueFeedToken(db.db, piotr, SECRET, clock);
    expect((await get(`/calendars/u/${token}.ics`)).status).toBe(200);
    expect(await revokeFeedTokens(db.db, piotr, clock)).toBe(1);
    // No invalidate(): other replicas are never told, so revocation must hold without it.
    const revoked = await get(`/calendars/u/${token}.ics`);
    const unknown = await get(`/calendars/u/${randomToken()}.ics`);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toBe(await unknown.text());
    expect(revoked.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
  });

  it('should retire the old link when a new one is issued', async () => {
    const barbara = await personId(PEOPLE.barbara.email);
    const old = await issueFeedToken(db.db, barbara, SECRET, clock);
    expect((await get(`/calendars/u/${old}.ics`)).status).toBe(200);
    const fresh = await issueFeedToken(db.db, barbara, SECRET, clock);
    expect(fresh).not.toBe(old);
    expect((await get(`/calendars/u/${old}.ics`)).status).toBe(404);
    const response = await get(`/calendars/u/${fresh}.ics`);
    expect(response.status).toBe(200);
    expect(uids(parseCalendar(await response.text()))).toEqual(['pzk-lowicz@kooperator']);
  });

  it('should store only a hash of the token, never the token itself', async () => {
    const anna = await personId(PEOPLE.anna.email);
    const token = await issueFeedToken(db.db, anna, SECRET, clock);
    const rows = await db.db.selectFrom('feed_tokens').selectAll().where('person_id', '=', anna).execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.filter((r) => r.revoked_at === null).map((r) => r.token_hash)).toEqual([hashToken(token)]);
  });
});
