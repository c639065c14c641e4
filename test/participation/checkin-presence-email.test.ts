import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsoleChat } from '../../adapters/console/console-chat.js';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { presenceLink } from '../../src/participation/presence-checkin.js';
import { presenceRoutes } from '../../src/participation/presence-routes.js';
import { meetingWindow } from '../../src/participation/presence-window.js';
import { planCheckins } from '../../src/reports/checkins.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'q'.repeat(40);
const log = createLogger('silent');

/**
 * The check-in after a meeting asks the coordinator (Anna, e-mail only) to confirm who came:
 * through a real SMTP server, the signed web form (GET shows, POST records), and the terminal.
 * Łódź meets on Tuesday 12 January 2027, 10:00–12:00 Warsaw; the question comes on the 13th.
 */
describe.each(dialects)('Check-in with presence by e-mail, on the web and in the terminal, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  let bot: Bot;
  let base = '';
  const clock = new FixedClock('2027-01-05T12:00:00Z');
  const ids: Record<string, number> = {};
  let presenceUrl = '';
  const attendance = async () =>
    Object.fromEntries((await db.db.selectFrom('attendance').select(['person_id', 'present']).where('day', '=', '2027-01-12').execute()).map((r) => [r.person_id, r.present]));
  const audit = async () => Number((await db.db.selectFrom('attendance_changes').select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (const name of ['anna.nowak', 'marta.grabowska', 'tomasz.zielinski', 'katarzyna.wisniewska', 'monika.wrobel', 'jan.kowalski']) {
      ids[name] = (await db.db.selectFrom('people').select('id').where('email', '=', `${name}@example.org`).executeTakeFirstOrThrow()).id;
    }
    server = createHttpServer({ routes: presenceRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, base, SECRET) });
    bot = new Bot({ db: db.db, clock, publicUrl: base, appSecret: SECRET, log });
    // The answers: Marta comes, Tomasz does not and sends Monika instead, Katarzyna did not answer.
    const answer = (person: string, a: 'attending' | 'not_attending', substitute?: string) => ({
      team_id: 'lodz',
      occurrence_date: '2027-01-12',
      person_id: ids[person]!,
      answer: a,
      reason: null,
      substitute_person_id: substitute ? ids[substitute]! : null,
      substitute_email: substitute ? `${substitute}@example.org` : null,
      absence_id: null,
      source: 'chat',
      answered_at: clock.now(),
    });
    await db.db.insertInto('meeting_answers').values([answer('marta.grabowska', 'attending'), answer('tomasz.zielinski', 'not_attending', 'monika.wrobel')]).execute();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should mail the coordinator the check-in with a signed link to the presence list', async () => {
    await planCheckins(db.db, { clock, horizonDays: 10 });
    clock.set('2027-01-13T08:00:00Z');
    await dispatcher.drain();
    const mail = smtp.mails.find((m) => m.to && 'text' in m.to && m.to.text === 'anna.nowak@example.org')!;
    expect(mail.text).toContain('Proszę też potwierdzić, kto był na spotkaniu');
    presenceUrl = /href="([^"]*\/presence\/[^"]+)"/.exec(String(mail.html))![1]!.replace(/&amp;/g, '&');
    expect(presenceUrl.startsWith(`${base}/presence/`)).toBe(true);
  });

  it('should show the list pre-filled from the answers on GET, the substitute in place of the member, and change nothing', async () => {
    const response = await fetch(presenceUrl);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toMatch(new RegExp(`name="p${ids['marta.grabowska']}" value="1" checked>`));
    expect(page).toMatch(new RegExp(`name="p${ids['monika.wrobel']}" value="1" checked> <label[^>]*>Monika Wróbel · Komenda Powiatowa Policji w Łowiczu · zamiast: Tomasz Zieliński<`));
    // No answer: not ticked; and the member who sent a substitute is not on the list.
    expect(page).toMatch(new RegExp(`name="p${ids['katarzyna.wisniewska']}" value="1">`));
    expect(page).not.toContain(`name="p${ids['tomasz.zielinski']}"`);
    expect(await attendance()).toEqual({});
  });

  it('should record what the coordinator confirms on POST, one audit row a person', async () => {
    const response = await post(presenceUrl, { [`p${ids['marta.grabowska']}`]: '1', [`p${ids['katarzyna.wisniewska']}`]: '1' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('2 osoby obecne; 11 zmian.');
    const rows = await attendance();
    expect(rows[ids['marta.grabowska']!]).toBe(true);
    expect(rows[ids['katarzyna.wisniewska']!]).toBe(true);
    expect(rows[ids['monika.wrobel']!]).toBe(false);
    expect(rows[ids['tomasz.zielinski']!]).toBeUndefined();
    expect(await audit()).toBe(11);
    // The same list again changes nothing and audits nothing.
    expect(await (await post(presenceUrl, { [`p${ids['marta.grabowska']}`]: '1', [`p${ids['katarzyna.wisniewska']}`]: '1' })).text()).toContain('2 osoby obecne; bez zmian.');
    expect(await audit()).toBe(11);
  });

  it('should refuse a POST forged by a member (a link of their own, a tampered link, another site) and record nothing', async () => {
    const window = (await meetingWindow(db.db, 'lodz', '2027-01-12'))!;
    const martas = presenceLink(SECRET, base, ids['marta.grabowska']!, 'lodz', '2027-01-12', window);
    const forged = await post(martas, { [`p${ids['tomasz.zielinski']}`]: '1' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('potwierdza jego koordynator(ka) albo RCPS');
    expect((await post(`${presenceUrl.slice(0, -3)}abc`, { [`p${ids['marta.grabowska']}`]: '1' })).status).toBe(404);
    expect((await post(presenceUrl, {}, { origin: 'https://evil.example' })).status).toBe(403);
    // Someone not on the list refuses the whole list.
    const stranger = await post(presenceUrl, { [`p${ids['jan.kowalski']}`]: '1' });
    expect(stranger.status).toBe(400);
    expect((await attendance())[ids['marta.grabowska']!]).toBe(true);
    expect(await audit()).toBe(11);
  });

  it('should take a late change within 14 days, audited, and refuse after them', async () => {
    clock.set('2027-01-20T09:00:00Z');
    const late = await post(presenceUrl, { [`p${ids['marta.grabowska']}`]: '1', [`p${ids['monika.wrobel']}`]: '1' });
    expect(await late.text()).toContain('2 osoby obecne; 2 zmiany. Zmieniono wcześniej zapisaną obecność');
    const changes = await db.db.selectFrom('attendance_changes').select(['person_id', 'present', 'changed_by', 'changed_at']).where('changed_at', '=', clock.now()).orderBy('person_id').execute();
    expect(changes.map((c) => [c.person_id, c.present, c.changed_by])).toEqual(
      [
        [ids['katarzyna.wisniewska'], false, ids['anna.nowak']],
        [ids['monika.wrobel'], true, ids['anna.nowak']],
      ].sort((a, b) => Number(a[0]) - Number(b[0])),
    );
    // 14 days after the end: 26 January, 12:00 Warsaw. The link ends then too.
    clock.set('2027-01-26T11:00:00Z');
    expect((await post(presenceUrl, {})).status).toBe(410);
    const refused = await bot.handle({ type: 'action', from: { channel: 'console', email: 'anna.nowak@example.org' }, actionId: 'presence:open', value: 'lodz:2027-01-12' });
    expect(refused.text).toBe('Minęło 14 dni od zakończenia: listy obecności nie można już zmienić. W razie potrzeby proszę napisać do RCPS.');
    const submitted = await bot.handle({ type: 'form', from: { channel: 'console', email: 'anna.nowak@example.org' }, formId: 'presence:lodz:2027-01-12', values: { present: '' } });
    expect(submitted.title).toBe('Nie zapisano obecności');
    expect((await attendance())[ids['marta.grabowska']!]).toBe(true);
  });

  it('should ask in the terminal with numbered choices, the ticked ones marked, and record the numbers typed', async () => {
    clock.set('2027-01-26T09:00:00Z');
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk) => (shown += String(chunk)));
    // The check-in comes from the outbox; in the terminal its button is pressed as typed "1" would.
    const chat = runConsoleChat({
      email: 'anna.nowak@example.org',
      handle: (incoming) =>
        bot.handle(incoming.type === 'command' && incoming.command === 'lista' ? { type: 'action', from: incoming.from, actionId: 'presence:open', value: 'lodz:2027-01-12' } : incoming),
      input,
      output,
    });
    input.write('lista\n');
    // Until the list is shown and the terminal waits for the numbers.
    for (let i = 0; i < 1000 && !shown.includes('\n? '); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const marta = shown.split('\n').find((l) => l.includes('Marta Grabowska'))!;
    expect(marta).toMatch(/^ {2}\[\d+\] \[x\] Marta Grabowska/);
    expect(shown.split('\n').find((l) => l.includes('Katarzyna'))).toMatch(/\[ \] Katarzyna/);
    const number = /\[(\d+)\]/.exec(shown.split('\n').find((l) => l.includes('Katarzyna'))!)![1]!;
    const martaNumber = /\[(\d+)\]/.exec(marta)![1]!;
    input.end(`${martaNumber} ${number}\n`);
    await chat;
    expect(shown).toContain('2 osoby obecne; 2 zmiany.');
    const rows = await attendance();
    expect([rows[ids['marta.grabowska']!], rows[ids['katarzyna.wisniewska']!], rows[ids['monika.wrobel']!]]).toEqual([true, true, false]);
  });
});
