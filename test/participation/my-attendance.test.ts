import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { markPresence } from '../../src/participation/presence.js';
import { purgeExpired } from '../../src/privacy/retention.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'm'.repeat(40);
const log = createLogger('silent');

/** A person sees their own attendance on the personal page and in moje-dane; nobody else's. */
describe.each(dialects)('My attendance on the personal page and in moje-dane on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base = '';
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  const id = async (name: string) => (await db.db.selectFrom('people').select('id').where('email', '=', `${name}@example.org`).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    server = createHttpServer({ routes: meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://x' }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const [anna, tomasz, jan, joanna] = [await id('anna.nowak'), await id('tomasz.zielinski'), await id('jan.kowalski'), await id('joanna.mazur')];
    await db.db.insertInto('invitations').values({ activity_id: 'warsztaty-2027-1', person_id: tomasz, sequence: 0, invited_at: clock.now() }).execute();
    clock.set('2027-01-12T12:00:00Z');
    const meeting = { kind: 'meeting', refId: 'lodz', day: '2027-01-12', method: 'checkin', markedBy: anna } as const;
    expect(await markPresence(db.db, { ...meeting, personId: tomasz, present: true }, clock)).toMatchObject({ ok: true });
    expect(await markPresence(db.db, { ...meeting, personId: joanna, present: false }, clock)).toMatchObject({ ok: true });
    clock.set('2027-03-11T12:00:00Z');
    for (const day of ['2027-03-10', '2027-03-11']) {
      expect(await markPresence(db.db, { kind: 'activity', refId: 'warsztaty-2027-1', day, personId: tomasz, present: true, method: 'staff', markedBy: jan }, clock)).toMatchObject({ ok: true });
    }
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  it('should list my own attendance, newest first, on my personal page', async () => {
    const url = (await personalPageUrl(db.db, base, SECRET, await id('tomasz.zielinski'), clock.now())).replace('http://x', base);
    const page = await (await fetch(url)).text();
    expect(page).toContain('<h2 id="attendance-h">Moja obecność</h2>');
    const items = [...page.matchAll(/<li>([^<]*): <strong>([^<]*)<\/strong><\/li>/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(items).toEqual([
      'Warsztaty kooperacyjne (wyjazdowe), 11 marca 2027: obecność',
      'Warsztaty kooperacyjne (wyjazdowe), 10 marca 2027: obecność',
      'Spotkanie PZK Łódź – demo, 12 stycznia 2027: obecność',
    ]);
    const joanna = await (await fetch((await personalPageUrl(db.db, base, SECRET, await id('joanna.mazur'), clock.now())).replace('http://x', base))).text();
    expect(joanna).toContain('PZK Łódź – demo meeting, 12 January 2027: <strong>absent</strong>');
    expect(joanna).not.toContain('Warsztaty');
  });

  it('should count it in moje-dane with the right plural, and say nothing when there is none', async () => {
    const bot = new Bot({ db: db.db, clock, publicUrl: base, appSecret: SECRET, log });
    const ask = (email: string) => bot.handle({ type: 'command', from: { channel: 'console', email }, command: 'moje-dane', text: '' });
    expect((await ask('tomasz.zielinski@example.org')).text).toContain('Zapisana obecność: 3 spotkania lub dni zajęć, nieobecność: 0 (lista na stronie osobistej).');
    expect((await ask('joanna.mazur@example.org')).text).toContain('Attendance recorded: 0 meetings or activity days, absence: 1');
    expect((await ask('anna.nowak@example.org')).text).not.toContain('obecność');
  });

  it('should purge attendance and its audit trail after the retention period', async () => {
    clock.set('2028-02-01T12:00:00Z');
    // The meeting of January 2027 is over a year old; the workshop of March 2027 not yet.
    expect(await purgeExpired(db.db, clock, 12)).toMatchObject({ attendance: 2, attendance_changes: 2 });
    expect((await db.db.selectFrom('attendance').select('day').orderBy('day').execute()).map((r) => r.day)).toEqual(['2027-03-10', '2027-03-11']);
  });
});
