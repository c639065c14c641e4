import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { activityPresenceUrl, selfCheckinUrl } from '../../src/participation/activity-presence-links.js';
import { activityPresenceRoutes } from '../../src/participation/activity-presence-routes.js';
import { codeFor, selfCheckIn } from '../../src/participation/self-checkin.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * RCPS marks presence on the activity's page while people type the day's code at the venue. The
 * page's POST compares the ticks with what the page showed (hidden s<id> fields), so a self
 * check-in made between the GET and the POST stands. A one-tap link used too early gives self
 * check-in's own hours (from 30 minutes before the start).
 */
const SECRET = 'r'.repeat(40);
const WORKSHOP = 'warsztaty-2027-1'; // 10–11 March 2027, 09:00–16:00 Warsaw

describe.each(dialects)('RCPS marking page and a self check-in meanwhile on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base = '';
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (const name of ['katarzyna.wisniewska', 'tomasz.zielinski', 'jan.kowalski']) {
      ids[name] = (await db.db.selectFrom('people').select('id').where('email', '=', `${name}@example.org`).executeTakeFirstOrThrow()).id;
    }
    await db.db
      .insertInto('invitations')
      .values([
        { activity_id: WORKSHOP, person_id: ids['katarzyna.wisniewska']!, sequence: 0, invited_at: clock.now() },
        { activity_id: WORKSHOP, person_id: ids['tomasz.zielinski']!, sequence: 0, invited_at: clock.now() },
      ])
      .execute();
    server = createHttpServer({ routes: activityPresenceRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }), mounts: [], metrics: createMetrics(), log: createLogger('silent') });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should not record as absent a person who checked in by code after the staff page was opened', async () => {
    clock.set('2027-03-10T08:10:00Z');
    const ref = { activityId: WORKSHOP, day: '2027-03-10' };
    const code = await codeFor(db.db, WORKSHOP, '2027-03-10');
    const url = activityPresenceUrl(base, SECRET, ids['jan.kowalski']!, ref, clock.now());
    const page = await (await fetch(url)).text();
    // The page shows Katarzyna unticked: nothing recorded yet.
    expect(page).toMatch(new RegExp(`name="p${ids['katarzyna.wisniewska']}" value="1"> `));
    // Katarzyna types the code at the door while RCPS ticks Tomasz on the open page.
    expect(await selfCheckIn(db.db, ids['katarzyna.wisniewska']!, code, clock)).toMatchObject({ ok: true, changed: true });
    const saved = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ [`p${ids['tomasz.zielinski']}`]: '1' }).toString() });
    expect(saved.status).toBe(200);
    const katarzyna = await db.db.selectFrom('attendance').select(['present', 'method']).where('ref_id', '=', WORKSHOP).where('day', '=', '2027-03-10').where('person_id', '=', ids['katarzyna.wisniewska']!).executeTakeFirst();
    // RCPS changed nothing about Katarzyna: her own check-in stands.
    expect(katarzyna).toEqual({ present: true, method: 'self' });
  });
  it('should tell a person tapping their own link too early when it opens (30 minutes before), not "only from the start"', async () => {
    clock.set('2027-03-11T07:00:00Z'); // day 2 starts 09:00 Warsaw (08:00 UTC); the link opens 08:30
    const url = selfCheckinUrl(base, SECRET, ids['tomasz.zielinski']!, { activityId: WORKSHOP, day: '2027-03-11' }, new Date('2027-03-11T15:00:00Z'));
    const answer = await fetch(url, { method: 'POST' });
    const text = await answer.text();
    expect(text).not.toContain('dopiero od rozpoczęcia');
    expect(text).toContain('8:30');
  });
});
