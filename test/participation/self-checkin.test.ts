import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { answersPageRoutes } from '../../src/invitations/answers-page.js';
import { answersPageUrl } from '../../src/invitations/answers-page-links.js';
import { createLogger } from '../../src/log.js';
import { activityPresenceUrl, posterUrl, venueUrl } from '../../src/participation/activity-presence-links.js';
import { activityPresenceRoutes } from '../../src/participation/activity-presence-routes.js';
import { CODE_ALPHABET, codeFor, showCode } from '../../src/participation/self-checkin.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'j'.repeat(40);
const log = createLogger('silent');
const WORKSHOP = 'warsztaty-2027-1'; // 10–11 March 2027, 09:00–16:00 Warsaw (08:00–15:00 UTC), Spała
const TRAINING = 'szkolenie-niebieska-karta-2027-01'; // 20 January 2027

/**
 * Self check-in at RCPS activities, per day of a two-day workshop: the code typed in chat
 * (valid, too early, expired, foreign, not invited, wrong, guessing limited), the staff poster
 * with its QR code, the "Jestem" page that sends the person's own link through the outbox (a
 * real SMTP server), and RCPS marking presence by day.
 */
describe.each(dialects)('Self check-in and RCPS presence at activities on %s', (kind) => {
  let db: Db;
  let bot: Bot;
  let server: Server;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  let base = '';
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  const ids: Record<string, number> = {};
  let day1 = '';
  let day2 = '';
  let training = '';
  const say = (who: string, text: string) => bot.handle({ type: 'command', from: { channel: 'console', email: `${who}@example.org` }, command: text.split(' ')[0]!, text: text.split(' ').slice(1).join(' ') });
  const presence = async () =>
    (await db.db.selectFrom('attendance').select(['ref_id', 'day', 'person_id', 'present', 'method']).orderBy('ref_id').orderBy('day').orderBy('person_id').execute()).map((r) => `${r.ref_id} ${r.day} ${r.person_id} ${r.present} ${r.method}`);
  const post = (url: string, fields: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (const name of ['katarzyna.wisniewska', 'tomasz.zielinski', 'piotr.kaminski', 'jan.kowalski', 'marta.grabowska']) {
      ids[name] = (await db.db.selectFrom('people').select('id').where('email', '=', `${name}@example.org`).executeTakeFirstOrThrow()).id;
    }
    await db.db
      .insertInto('invitations')
      .values([
        { activity_id: WORKSHOP, person_id: ids['katarzyna.wisniewska']!, sequence: 0, invited_at: clock.now() },
        { activity_id: WORKSHOP, person_id: ids['tomasz.zielinski']!, sequence: 0, invited_at: clock.now() },
        { activity_id: TRAINING, person_id: ids['marta.grabowska']!, sequence: 0, invited_at: clock.now() },
      ])
      .execute();
    bot = new Bot({ db: db.db, clock, publicUrl: 'http://x', appSecret: SECRET, log });
    const routes = [...activityPresenceRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }), ...answersPageRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' })];
    server = createHttpServer({ routes, mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, base, SECRET) });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should make one code per day, six characters without look-alikes, the same on every ask', async () => {
    day1 = await codeFor(db.db, WORKSHOP, '2027-03-10');
    day2 = await codeFor(db.db, WORKSHOP, '2027-03-11');
    training = await codeFor(db.db, TRAINING, '2027-01-20');
    for (const code of [day1, day2, training]) expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{6}$`));
    expect(new Set([day1, day2, training]).size).toBe(3);
    expect(await codeFor(db.db, WORKSHOP, '2027-03-10')).toBe(day1);
    expect((await say('katarzyna.wisniewska', 'pomoc')).text).toContain('**jestem** _kod_');
  });

  it('should refuse a code before it opens (30 minutes before the start) and take it then, per day', async () => {
    clock.set('2027-03-10T07:29:00Z');
    const early = await say('katarzyna.wisniewska', `jestem ${showCode(day1)}`);
    expect(early.text).toBe('Kod zajęć „Warsztaty kooperacyjne (wyjazdowe)” działa od środy, 10 marca 2027, 08:30 do środy, 10 marca 2027, 16:00; nic nie zapisano.');
    expect(await presence()).toEqual([]);
    clock.set('2027-03-10T07:30:00Z');
    // Typed loosely: lower case, no hyphen.
    expect((await say('katarzyna.wisniewska', `jestem ${day1.toLowerCase()}`)).text).toBe('Dziękujemy, zapisaliśmy Pani/Pana obecność: Warsztaty kooperacyjne (wyjazdowe), 10 marca 2027.');
    expect((await say('katarzyna.wisniewska', `jestem ${day1}`)).text).toContain('była już zapisana');
    expect(await presence()).toEqual([`${WORKSHOP} 2027-03-10 ${ids['katarzyna.wisniewska']} true self`]);
  });

  it('should refuse a foreign code (another activity, or a person not invited) and an expired one, recording nothing', async () => {
    clock.set('2027-03-10T09:00:00Z');
    expect((await say('katarzyna.wisniewska', `jestem ${training}`)).text).toContain('nie ma Pani/Pana na liście osób zaproszonych');
    expect((await say('piotr.kaminski', `jestem ${day1}`)).text).toContain('nie ma Pani/Pana na liście osób zaproszonych');
    // The second day's code does not work on the first day, nor the first day's on the second after it ended.
    expect((await say('tomasz.zielinski', `jestem ${day2}`)).text).toContain('działa od czwartku, 11 marca 2027, 08:30');
    clock.set('2027-03-11T08:00:00Z');
    expect((await say('tomasz.zielinski', `jestem ${day1}`)).text).toContain('do środy, 10 marca 2027, 16:00; nic nie zapisano.');
    expect((await say('tomasz.zielinski', `jestem ${day2}`)).text).toContain('zapisaliśmy Pani/Pana obecność');
    clock.set('2027-03-11T15:00:00Z');
    expect((await say('katarzyna.wisniewska', `jestem ${day2}`)).text).toContain('nic nie zapisano');
    expect(await presence()).toEqual([`${WORKSHOP} 2027-03-10 ${ids['katarzyna.wisniewska']} true self`, `${WORKSHOP} 2027-03-11 ${ids['tomasz.zielinski']} true self`]);
  });

  it('should answer a wrong code politely and stop guessing after five wrong codes for a quarter of an hour', async () => {
    clock.set('2027-03-11T09:00:00Z');
    const wrong = await say('piotr.kaminski', 'jestem AAA-AAA');
    expect(wrong.text).toBe('Nie znamy takiego kodu. Proszę sprawdzić kod na plakacie lub zapytać prowadzących; nic nie zapisano.');
    for (let i = 0; i < 3; i++) await say('piotr.kaminski', 'jestem 0O1IL5');
    // A code of an activity he is not invited to counts too: that is five, and the sixth is not even looked up.
    expect((await say('piotr.kaminski', `jestem ${day2}`)).text).toContain('nie ma Pani/Pana na liście osób zaproszonych');
    expect((await say('piotr.kaminski', `jestem ${day2}`)).text).toBe('Za dużo błędnych kodów. Proszę spróbować za 15 minut albo zgłosić się do prowadzących.');
    // Others are not held up.
    expect((await say('katarzyna.wisniewska', `here ${day2}`)).text).toContain('zapisaliśmy Pani/Pana obecność');
    clock.set('2027-03-11T09:16:00Z');
    expect((await say('piotr.kaminski', 'jestem AAA-AAA')).text).toContain('Nie znamy takiego kodu');
    expect((await presence()).filter((p) => p.includes(` ${ids['piotr.kaminski']} `))).toEqual([]);
  });

  it('should show RCPS staff a printable poster with the code in large type and a QR code, and nobody else', async () => {
    const ref = { activityId: WORKSHOP, day: '2027-03-11' };
    const response = await fetch(posterUrl(base, SECRET, ids['jan.kowalski']!, ref, clock.now()));
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain(`<p class="code" aria-label="${showCode(day2).split('').join(' ')}">jestem ${showCode(day2)}</p>`);
    expect(page).toMatch(/<div class="qr" role="img" aria-label="[^"]+"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(page).toContain('Kod działa od czwartku, 11 marca 2027, 08:30 do czwartku, 11 marca 2027, 16:00.');
    // The QR code is that of the day's signed Jestem link (the same drawing: qrcode is deterministic).
    const qr = await QRCode.toString(venueUrl('http://127.0.0.1', SECRET, ref, new Date('2027-03-11T15:00:00Z')), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    expect(page).toContain(qr);
    expect((await fetch(posterUrl(base, SECRET, ids['marta.grabowska']!, ref, clock.now()))).status).toBe(403);
    expect((await fetch(`${posterUrl(base, SECRET, ids['jan.kowalski']!, ref, clock.now())}x`)).status).toBe(404);
    // The answers page links to each day's poster and marking page.
    const answers = await (await fetch(answersPageUrl(base, SECRET, ids['jan.kowalski']!, clock.now()))).text();
    expect(answers).toContain('Plakat z kodem obecności (10 marca 2027)');
    expect(answers).toContain('Zaznacz obecność (11 marca 2027)');
  });

  it('should send an invited person their own one-tap link from the Jestem page, and tell a stranger nothing more', async () => {
    const ref = { activityId: WORKSHOP, day: '2027-03-11' };
    // The poster's QR code encodes this venue link (until the day's end).
    const venue = venueUrl(base, SECRET, ref, new Date('2027-03-11T15:00:00Z'));
    const form = await fetch(venue);
    expect(await form.text()).toContain('<input id="email" name="email" type="email"');
    const sentBefore = smtp.mails.length;
    const stranger = await post(venue, { email: 'piotr.kaminski@example.org' });
    const invited = await post(venue, { email: 'Tomasz.Zielinski@example.org ' });
    expect([stranger.status, invited.status]).toEqual([200, 200]);
    expect(await stranger.text()).toEqual(await invited.text());
    // Tomasz's first channel is Teams (e-mail if that fails); Katarzyna's is e-mail.
    const rows = await db.db.selectFrom('deliveries').select(['person_id', 'channels']).where('kind', '=', 'self_checkin').execute();
    expect(rows).toEqual([{ person_id: ids['tomasz.zielinski'], channels: ['teams', 'email'] }]);
    // This test's dispatcher sends e-mail only: Tomasz's row is not for it.
    await db.db.deleteFrom('deliveries').where('person_id', '=', ids['tomasz.zielinski']!).execute();
    await post(venue, { email: 'katarzyna.wisniewska@example.org' });
    await dispatcher.drain();
    const mail = smtp.mails.slice(sentBefore).find((m) => m.to && 'text' in m.to && m.to.text === 'katarzyna.wisniewska@example.org')!;
    expect(mail.subject).toBe('Potwierdzenie obecności');
    const personal = /href="([^"]*\/jestem\/ja\/[^"]+)"/.exec(String(mail.html))![1]!;
    // GET shows the button and records nothing; POST records (already present by code today: no change).
    await db.db.deleteFrom('attendance').where('person_id', '=', ids['katarzyna.wisniewska']!).where('day', '=', '2027-03-11').execute();
    expect(await (await fetch(personal)).text()).toContain('Jestem – potwierdzam obecność');
    expect((await presence()).filter((p) => p.includes('2027-03-11') && p.includes(` ${ids['katarzyna.wisniewska']} `))).toEqual([]);
    const done = await post(personal, {});
    expect(await done.text()).toContain('zapisaliśmy Pani/Pana obecność');
    expect(await presence()).toContain(`${WORKSHOP} 2027-03-11 ${ids['katarzyna.wisniewska']} true self`);
    // After the day the link is over.
    clock.set('2027-03-11T15:00:01Z');
    expect((await post(personal, {})).status).toBe(410);
  });

  it('should let RCPS mark presence per day on the activity page, audited, and refuse a member', async () => {
    clock.set('2027-03-12T10:00:00Z');
    const ref = { activityId: WORKSHOP, day: '2027-03-10' };
    const url = activityPresenceUrl(base, SECRET, ids['jan.kowalski']!, ref, clock.now());
    const page = await (await fetch(url)).text();
    expect(page).toMatch(new RegExp(`name="p${ids['katarzyna.wisniewska']}" value="1" checked> <label[^>]*>Katarzyna Wiśniewska · [^<]*<span class="muted">\\(zgłoszona kodem\\)`));
    expect(page).toMatch(new RegExp(`name="p${ids['tomasz.zielinski']}" value="1"> `));
    const saved = await post(url, { [`p${ids['tomasz.zielinski']}`]: '1', [`p${ids['katarzyna.wisniewska']}`]: '1', [`s${ids['katarzyna.wisniewska']}`]: '1' });
    expect(await saved.text()).toContain('Zapisano: 2 osoby obecne; 1 zmiana.');
    expect(await presence()).toContain(`${WORKSHOP} 2027-03-10 ${ids['tomasz.zielinski']} true staff`);
    const audit = await db.db.selectFrom('attendance_changes').select(['person_id', 'method', 'changed_by']).where('day', '=', '2027-03-10').where('method', '=', 'staff').execute();
    expect(audit).toEqual([{ person_id: ids['tomasz.zielinski'], method: 'staff', changed_by: ids['jan.kowalski'] }]);
    const member = activityPresenceUrl(base, SECRET, ids['marta.grabowska']!, ref, clock.now());
    expect((await post(member, { [`p${ids['katarzyna.wisniewska']}`]: '1' })).status).toBe(403);
    // 14 days after the workshop ended the list is closed.
    clock.set('2027-03-25T15:00:00Z');
    const late = await post(url, {});
    expect(late.status).toBe(410);
    expect(await presence()).toContain(`${WORKSHOP} 2027-03-10 ${ids['katarzyna.wisniewska']} true self`);
  });
});
