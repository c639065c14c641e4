import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { unsubscribeRoutes } from '../../src/http/unsubscribe-page.js';
import { createLogger } from '../../src/log.js';
import type { ChannelAdapter } from '../../src/ports/channel.port.js';
import { emailLinks, unsubscribeUrl } from '../../src/preferences/preference-links.js';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { checkLink } from '../../src/me/personal-links.js';
import { verifyLink } from '../../src/security/signed-links.js';
import { rawHeader, emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 's'.repeat(40);
const PUBLIC = 'https://koop.example.org';
const log = createLogger('silent');
const clock = new FixedClock('2027-01-04T08:00:00Z');
const ONE_CLICK = 'List-Unsubscribe=One-Click';

describe.each(dialects)('e-mail preference and one-click unsubscribe links on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base: string;
  let smtp: FakeSmtp;
  let email: ChannelAdapter;
  const ids: Record<string, number> = {};
  let key = 0;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    for (const p of await db.db.selectFrom('people').select(['id', 'email']).execute()) ids[p.email] = p.id;
    server = createHttpServer({ routes: unsubscribeRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: PUBLIC }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = await startSmtp();
    email = emailAdapterFor(smtp, 'k@example.org');
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });
  afterEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    smtp.mails.length = 0;
    await db.db.deleteFrom('preferences').execute();
  });

  const dispatcher = () =>
    new Dispatcher({ db: db.db, clock, log, workerId: 'w', senders: new Map([['email', email.sender]]), emailLinks: emailLinks(db.db, PUBLIC, SECRET, clock) });
  const mailTo = async (address: string, deliveryKind: string) => {
    await enqueue(db.db, [
      { key: `u-${++key}`, kind: deliveryKind, personId: ids[address]!, channels: ['email'], payload: { language: 'pl', title: `Wiadomość ${key}`, text: 'Treść.' }, dueAt: clock.now() },
    ]);
    expect(await dispatcher().drain()).toMatchObject({ sent: 1 });
    return smtp.mails.at(-1)!;
  };
  /** The path of a link the service made for PUBLIC, on the test server. */
  const local = (url: string) => `${base}${new URL(url).pathname}`;
  const post = (url: string, body = ONE_CLICK) =>
    fetch(local(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const muted = async (address: string) => (await loadPreferences(db.db, ids[address]!)).mutedKinds;

  it('should give every e-mail from the dispatcher a 30-day personal page link and a one-click unsubscribe for its kind', async () => {
    const anna = ids['anna.nowak@example.org']!;
    const mail = await mailTo('anna.nowak@example.org', 'reminder');
    const listUnsubscribe = rawHeader(mail, 'list-unsubscribe')!;
    expect(listUnsubscribe).toMatch(/^<https:\/\/koop\.example\.org\/unsubscribe\/[\w-]+\.[\w-]+>$/);
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBe(ONE_CLICK);
    const unsubscribeToken = listUnsubscribe.slice(1, -1).split('/unsubscribe/')[1]!;
    const unsubscribe = verifyLink(SECRET, unsubscribeToken, 'unsubscribe', clock.now());
    expect(unsubscribe).toMatchObject({ ok: true, payload: { subject: String(anna), kind: 'reminders' } });

    const meUrl = /https:\/\/koop\.example\.org\/me\/([\w-]{43})/.exec(mail.text ?? '');
    expect(meUrl, mail.text).not.toBeNull();
    expect(String(mail.html)).toContain(`href="${meUrl![0]}"`);
    // A personal link (src/me/personal-links.ts): Anna's, for 30 days.
    expect(await checkLink(db.db, meUrl![1]!, ['me'], clock.now())).toMatchObject({ ok: true, personId: anna });
    expect(await checkLink(db.db, meUrl![1]!, ['me'], new Date('2027-02-03T08:00:00Z'))).toEqual({ ok: false, status: 410 });
  });

  it('should offer no one-click unsubscribe for a message nobody may mute, only the preferences page', async () => {
    const mail = await mailTo('anna.nowak@example.org', 'report_answer');
    expect(rawHeader(mail, 'list-unsubscribe')).toMatch(/^<https:\/\/koop\.example\.org\/me\//);
    expect(rawHeader(mail, 'list-unsubscribe-post')).toBeUndefined();
  });

  it('should mute the kind on the one-click POST from the mail\'s header, and then send no more of it', async () => {
    const mail = await mailTo('katarzyna.wisniewska@example.org', 'reminder');
    const url = rawHeader(mail, 'list-unsubscribe')!.slice(1, -1);

    const answer = await post(url);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await answer.text();
    expect(page).toContain('<html lang="pl">');
    expect(page).toContain('Nie będziemy już wysyłać Pani/Panu przypomnień o spotkaniach.');
    expect(page).toMatch(/href="https:\/\/koop\.example\.org\/me\/[\w-]{43}"/);
    expect(await muted('katarzyna.wisniewska@example.org')).toEqual(['reminders']);
    // Twice is the same as once.
    expect((await post(url)).status).toBe(200);
    expect(await muted('katarzyna.wisniewska@example.org')).toEqual(['reminders']);

    await enqueue(db.db, [
      { key: `u-${++key}`, kind: 'reminder', personId: ids['katarzyna.wisniewska@example.org']!, channels: ['email'], payload: { language: 'pl', title: 'x', text: 'x' }, dueAt: clock.now() },
      { key: `u-${++key}`, kind: 'meeting_change', personId: ids['katarzyna.wisniewska@example.org']!, channels: ['email'], payload: { language: 'pl', title: 'y', text: 'y' }, dueAt: clock.now() },
    ]);
    smtp.mails.length = 0;
    await dispatcher().drain();
    expect(smtp.mails.map((m) => m.subject)).toEqual(['y']);
  });

  it('should only show a confirm button on GET (mail scanners open links) and change nothing', async () => {
    const url = unsubscribeUrl(PUBLIC, SECRET, ids['anna.nowak@example.org']!, 'announcements', clock.now());
    const answer = await fetch(local(url));
    expect(answer.status).toBe(200);
    const page = await answer.text();
    expect(page).toContain('Czy na pewno nie chce Pani/Pan otrzymywać ogłoszeń?');
    expect(page).toContain(`<form method="post" action="${new URL(url).pathname}">`);
    expect(page).toContain('<button type="submit">Tak, wypisz mnie</button>');
    expect(await muted('anna.nowak@example.org')).toEqual([]);
    // The button posts the form as a browser would.
    expect((await post(url, 'List-Unsubscribe=One-Click')).status).toBe(200);
    expect(await muted('anna.nowak@example.org')).toEqual(['announcements']);
  });

  it('should answer in the person\'s language', async () => {
    const url = unsubscribeUrl(PUBLIC, SECRET, ids['joanna.mazur@example.org']!, 'invitations', clock.now());
    const page = await (await post(url)).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('We will not send you invitations to workshops and trainings any more.');
  });

  it.each([
    ['a changed token', (url: string) => url.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 404, 'Ten link do wypisania się z wiadomości jest niepełny lub nieważny'],
    ['a token for another purpose', async () => `${PUBLIC}/unsubscribe/${new URL((await emailLinks(db.db, PUBLIC, SECRET, clock)(1, 'reminder')).preferencesUrl).pathname.split('/').pop()}`, 404, 'Ten link do wypisania się z wiadomości jest niepełny lub nieważny'],
    ['garbage', () => `${PUBLIC}/unsubscribe/%00%ff..`, 404, 'Ten link do wypisania się z wiadomości jest niepełny lub nieważny'],
  ])('should refuse %s with a 4xx and a reason, changing nothing', async (_name, spoil, status, text) => {
    const url = await spoil(unsubscribeUrl(PUBLIC, SECRET, ids['anna.nowak@example.org']!, 'reminders', clock.now()));
    for (const answer of [await fetch(local(url)), await post(url)]) {
      expect(answer.status).toBe(status);
      expect(await answer.text()).toContain(text);
    }
    expect(await muted('anna.nowak@example.org')).toEqual([]);
  });

  it('should refuse an expired link with 410, and a link of someone no longer on any schedule with 404', async () => {
    const url = unsubscribeUrl(PUBLIC, SECRET, ids['anna.nowak@example.org']!, 'reminders', clock.now());
    clock.advance(366 * 24 * 3600_000);
    const expired = await post(url);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('Ten link do wypisania się z wiadomości wygasł');
    const gone = unsubscribeUrl(PUBLIC, SECRET, 999_999, 'reminders', clock.now());
    expect((await post(gone)).status).toBe(404);
    expect(await muted('anna.nowak@example.org')).toEqual([]);
  });
});
