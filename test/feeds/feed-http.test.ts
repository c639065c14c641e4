import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { hashToken, issueFeedToken, revokeFeedTokens } from '../../src/feeds/feed-tokens.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';
import { LODZ_LOCATION, PEOPLE, feedSchedule } from './feed-schedule.js';
import { serveFeeds, type FeedServer } from './feed-server.js';
import { ZONE, parseCalendar, uids } from './ical.js';

const SECRET = 'test-app-secret-for-feed-tokens-0123456789';
const randomToken = () => randomBytes(32).toString('base64url'); // 43 characters, like a real one

describe.each(dialects)('feed HTTP routes on %s', (kind) => {
  let db: Db;
  let server: FeedServer;
  const clock = new FixedClock('2027-01-01T00:00:00Z');
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.base}${path}`, { headers });
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
    // As src/main.ts: on PostgreSQL other replicas write too, so personal tokens are checked in the database.
    const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock, sharedDatabase: kind === 'postgres' });
    server = await serveFeeds(feeds);
  });

  afterAll(async () => {
    await server?.close();
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

  /** Answers of a route: all counted; only those of the routes (not the fast path) are timed. */
  const counts = async (route: string) => {
    const text = await server.metrics.registry.metrics();
    const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
    return {
      counted: sum(new RegExp(`kooperator_http_requests_total\\{route="${route}",status="\\d+"\\} (\\d+)`, 'g')),
      timed: sum(new RegExp(`kooperator_http_request_duration_seconds_count\\{route="${route}"\\} (\\d+)`, 'g')),
    };
  };

  it('should answer a feed built for the current data version on the fast path, counted but not timed', async () => {
    const first = await get('/calendars/teams/lowicz.ics');
    const body = await first.text();
    const before = await counts('feed_team');
    const again = await get('/calendars/teams/lowicz.ics');
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(body);
    expect(again.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(again.headers.get('cache-control')).toBe('public, max-age=300');
    expect(again.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    const revalidated = await get('/calendars/teams/lowicz.ics?client=outlook', { 'if-none-match': `"x", W/${first.headers.get('etag')}` });
    expect(revalidated.status).toBe(304);
    const after = await counts('feed_team');
    expect(after.counted - before.counted).toBe(2);
    expect(after.timed - before.timed).toBe(0);
  });

  it('should answer HEAD with the headers of GET and no body, and 304 to HEAD with the ETag', async () => {
    for (const path of ['/calendars/all.ics', '/calendars/teams/lodz.ics']) {
      const got = await get(path);
      const body = await got.arrayBuffer();
      for (let i = 0; i < 2; i++) {
        // Twice: the first may be the routes' answer, the second is the fast path's.
        const head = await fetch(`${server.base}${path}`, { method: 'HEAD' });
        expect(head.status, path).toBe(200);
        expect(head.headers.get('etag')).toBe(got.headers.get('etag'));
        expect(head.headers.get('content-length')).toBe(String(body.byteLength));
        expect(head.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
        expect((await head.arrayBuffer()).byteLength).toBe(0);
        const notModified = await fetch(`${server.base}${path}`, { method: 'HEAD', headers: { 'if-none-match': got.headers.get('etag')! } });
        expect(notModified.status, path).toBe(304);
      }
    }
  });

  it('should serve a changed schedule at the very next request, with a new ETag, without being told', async () => {
    const first = await get('/calendars/teams/lodz.ics');
    const etag = first.headers.get('etag')!;
    expect(await first.text()).toContain('Sala 12');
    expect((await get('/calendars/teams/lodz.ics', { 'if-none-match': etag })).status).toBe(304);
    // A write of a shown table, as an import or a chat command makes it; no invalidate(), as on a replica that did not make it.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 99' }).where('team_id', '=', 'lodz').execute();
    try {
      const changed = await get('/calendars/teams/lodz.ics', { 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).not.toBe(etag);
      expect(await changed.text()).toContain('Sala 99');
    } finally {
      await db.db.updateTable('meeting_series').set({ location: LODZ_LOCATION }).where('team_id', '=', 'lodz').execute();
    }
  });

  it("should never serve one person's feed for another's token, and refuse a revoked token at its next request", async () => {
    // On PGlite (the only writer) personal feeds are served on the fast path; on PostgreSQL each
    // request checks its token in the database (feed-token-replicas.test.ts), then serves the cached bytes.
    const anna = await issueFeedToken(db.db, await personId(PEOPLE.anna.email), SECRET, clock);
    const barbara = await issueFeedToken(db.db, await personId(PEOPLE.barbara.email), SECRET, clock);
    const annaBody = await (await get(`/calendars/u/${anna}.ics`)).text();
    const barbaraBody = await (await get(`/calendars/u/${barbara}.ics`)).text();
    expect(annaBody).not.toBe(barbaraBody);
    const before = await counts('feed_person');
    for (let i = 0; i < 3; i++) {
      const [a, b] = await Promise.all([get(`/calendars/u/${anna}.ics`), get(`/calendars/u/${barbara}.ics`)]);
      expect(a.headers.get('cache-control')).toBe('private, max-age=300');
      expect(await a.text()).toBe(annaBody);
      expect(await b.text()).toBe(barbaraBody);
    }
    const after = await counts('feed_person');
    expect(after.counted - before.counted).toBe(6);
    expect(after.timed - before.timed).toBe(kind === 'postgres' ? 6 : 0); // on PGlite all from the fast path: the case the revocation below must get past
    await revokeFeedTokens(db.db, await personId(PEOPLE.barbara.email), clock);
    expect((await get(`/calendars/u/${barbara}.ics`)).status).toBe(404);
    expect((await get(`/calendars/u/${barbara}.ics`, { 'if-none-match': '*' })).status).toBe(404);
    expect(await (await get(`/calendars/u/${anna}.ics`)).text()).toBe(annaBody);
  });
});
