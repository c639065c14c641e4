import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { reportPageUrl } from '../../src/reports/report-links.js';
import { reportPageRoutes } from '../../src/reports/report-page-routes.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'r'.repeat(40);
const log = createLogger('silent');
const CODE = 'LDZ-2027-001';

describe.each(dialects)('The report page for RCPS staff who use e-mail, over HTTP, with mail through a real SMTP server, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  let base = '';
  let woken = 0;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const links: Record<string, string> = {};
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address);
  const events = () => db.db.selectFrom('report_events').select(['action', 'comment', 'person_id']).orderBy('id').execute();
  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  const personId = async (address: string) => (await db.db.selectFrom('people').select('id').where('email', '=', address).executeTakeFirstOrThrow()).id;

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    server = createHttpServer({
      routes: reportPageRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'https://koop.example.org', onChanged: () => woken++ }),
      mounts: [],
      metrics: createMetrics(),
      log,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, base, SECRET) });
    const bot = new Bot({ db: db.db, clock, publicUrl: base, appSecret: SECRET, log });
    const from = { channel: 'console' as const, email: 'katarzyna.wisniewska@example.org' };
    await bot.handle({ type: 'command', from, command: 'problem', text: 'pilny kontrola: Kontrola <b>NIK</b> w piątek & "pismo"' });
    await dispatcher.drain();
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should give each RCPS person their own signed link to the report page in the mail', async () => {
    for (const address of ['jan.kowalski@example.org', 'elzbieta.pawlak@example.org']) {
      const [mail] = mailsTo(address);
      expect(mail!.subject).toBe(`KONTROLA/AUDYT · PILNE · Nowe zgłoszenie ${CODE} (PZK Łódź – demo)`);
      const href = /href="(http:\/\/127\.0\.0\.1:\d+\/reports\/[^"]+)"/.exec(String(mail!.html));
      expect(href, address).not.toBeNull();
      expect(mail!.text).toContain('Otwórz stronę zgłoszenia');
      links[address] = href![1]!;
    }
    expect(links['jan.kowalski@example.org']).not.toBe(links['elzbieta.pawlak@example.org']);
  });

  it('should show the report, escaped, with its history and the answer buttons, in Polish or English, and change nothing on GET', async () => {
    const response = await fetch(links['jan.kowalski@example.org']!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain('<html lang="pl">');
    expect(page).toContain(`<h1>Zgłoszenie ${CODE}</h1>`);
    expect(page).toContain('KONTROLA/AUDYT · PILNE');
    expect(page).toContain('Kontrola &lt;b&gt;NIK&lt;/b&gt; w piątek &amp; &quot;pismo&quot;');
    expect(page).not.toContain('<b>NIK</b>');
    expect(page).toMatch(/<td>Katarzyna Wiśniewska<\/td><td>zgłoszenie<\/td>/);
    expect(page).toContain('<button type="submit" name="action" value="ack">Przyjmij</button>');
    expect(page).toContain('<button type="submit" name="action" value="resolve">Rozwiąż</button>');
    const english = await (await fetch(`${links['jan.kowalski@example.org']}?lang=en`)).text();
    expect(english).toContain(`<h1>Report ${CODE}</h1>`);
    expect(english).toContain('>Acknowledge</button>');
    expect(english).toContain('<dt>State</dt><dd>new</dd>');
    expect(await events()).toHaveLength(1);
  });

  it('should answer a tampered, expired or foreign link with a polite page in both languages, changing nothing', async () => {
    const jan = links['jan.kowalski@example.org']!;
    const tampered = await fetch(`${jan.slice(0, -2)}xx`);
    expect(tampered.status).toBe(404);
    const text = await tampered.text();
    expect(text).toContain('Ten link jest nieważny');
    expect(text).toContain('This link is invalid');
    expect((await post(`${jan.slice(0, -2)}xx`, { action: 'ack' })).status).toBe(404);
    const expired = reportPageUrl(base, SECRET, await personId('jan.kowalski@example.org'), CODE, new Date('2026-11-01T00:00:00Z'));
    expect((await fetch(expired)).status).toBe(410);
    expect(await (await post(expired, { action: 'ack' })).text()).toContain('Link do zgłoszenia działa 30 dni');
    const member = reportPageUrl(base, SECRET, await personId('katarzyna.wisniewska@example.org'), CODE, clock.now());
    const refused = await post(member, { action: 'resolve' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Ta strona jest dla pracowników RCPS');
    expect((await fetch(reportPageUrl(base, SECRET, await personId('jan.kowalski@example.org'), 'LDZ-2027-999', clock.now()))).status).toBe(404);
    const crossSite = await post(jan, { action: 'ack' }, { origin: 'https://evil.example.com' });
    expect(crossSite.status).toBe(403);
    expect(await events()).toHaveLength(1);
  });

  it('should refuse an empty comment or no button with the reason and the typed text, changing nothing', async () => {
    const jan = links['jan.kowalski@example.org']!;
    const empty = await post(jan, { action: 'comment', comment: '   ' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Proszę wpisać treść');
    const none = await post(jan, { comment: 'Bez <i>przycisku</i>' });
    expect(none.status).toBe(400);
    const page = await none.text();
    expect(page).toContain('Proszę wybrać jeden z przycisków');
    expect(page).toContain('>Bez &lt;i&gt;przycisku&lt;/i&gt;</textarea>');
    expect(await events()).toHaveLength(1);
  });

  it('should acknowledge with a comment once, tell the reporter once, and answer a second submit that nothing changed', async () => {
    const jan = links['jan.kowalski@example.org']!;
    clock.advance(60_000);
    const first = await post(jan, { action: 'ack', comment: 'Zajmę się tym <dziś>' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toMatch(/^\/reports\/[^?]+\?done=acknowledged&lang=pl$/);
    expect(woken).toBe(1);
    const after = await (await fetch(new URL(first.headers.get('location')!, base))).text();
    expect(after).toContain(`Zapisano. Zgłoszenie ${CODE} jest teraz: przyjęte.`);
    expect(after).toMatch(/<td>Jan Kowalski<\/td><td>przyjęcie<\/td><td>Zajmę się tym &lt;dziś&gt;<\/td>/);
    expect(after).not.toContain('value="ack"');
    const second = await post(jan, { action: 'ack', comment: 'Zajmę się tym <dziś>' });
    expect(second.status).toBe(409);
    expect(await second.text()).toContain(`Zgłoszenie ${CODE} już jest: przyjęte. Nic nie zmieniono.`);
    await dispatcher.drain();
    const told = mailsTo('katarzyna.wisniewska@example.org').filter((m) => m.subject?.startsWith(`Zgłoszenie ${CODE}:`));
    expect(told.map((m) => m.subject)).toEqual([`Zgłoszenie ${CODE}: przyjęte`]);
    expect(told[0]!.text).toContain('Zajmę się tym <dziś>');
    expect((await events()).map((e) => e.action)).toEqual(['created', 'acknowledged']);
  });

  it('should store a comment sent twice once, and resolve from another RCPS person\'s link, the reporter hearing of each', async () => {
    const jan = links['jan.kowalski@example.org']!;
    clock.advance(60_000);
    expect((await post(jan, { action: 'comment', comment: 'Proszę o kopię pisma.' })).status).toBe(303);
    expect((await post(jan, { action: 'comment', comment: 'Proszę o kopię pisma.' })).status).toBe(303);
    await dispatcher.drain();
    clock.advance(60_000);
    const resolved = await post(links['elzbieta.pawlak@example.org']!, { action: 'resolve', comment: 'Kontrola zakończona bez uwag' });
    expect(resolved.status).toBe(303);
    const page = await (await fetch(links['elzbieta.pawlak@example.org']!)).text();
    expect(page).toContain('<dt>Stan</dt><dd>rozwiązane</dd>');
    expect(page).not.toContain('value="resolve"');
    expect((await events()).map((e) => [e.action, e.comment])).toEqual([
      ['created', null],
      ['acknowledged', 'Zajmę się tym <dziś>'],
      ['commented', 'Proszę o kopię pisma.'],
      ['resolved', 'Kontrola zakończona bez uwag'],
    ]);
    await dispatcher.drain();
    const told = mailsTo('katarzyna.wisniewska@example.org').filter((m) => m.subject?.startsWith(`Zgłoszenie ${CODE}:`));
    expect(told.map((m) => m.subject)).toEqual([`Zgłoszenie ${CODE}: przyjęte`, `Zgłoszenie ${CODE}: przyjęte`, `Zgłoszenie ${CODE}: rozwiązane`]);
    expect(told[1]!.text).toContain('Proszę o kopię pisma.');
    expect(told[2]!.text).toContain('Elżbieta Pawlak');
  });
});
