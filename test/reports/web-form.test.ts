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
import { formRoutes } from '../../src/reports/form-routes.js';
import { formLink } from '../../src/reports/report-forms.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const SECRET = 'f'.repeat(40);
const log = createLogger('silent');

describe.each(dialects)('The web form for e-mail users, over HTTP, with mail through a real SMTP server, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let smtp: FakeSmtp;
  let base = '';
  let dispatcher: Dispatcher;
  let bot: Bot;
  let email: ReturnType<typeof createEmailAdapter>;
  let katarzyna = 0;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    katarzyna = (await db.db.selectFrom('people').select('id').where('email', '=', 'katarzyna.wisniewska@example.org').executeTakeFirstOrThrow()).id;
    server = createHttpServer({ routes: formRoutes({ db: db.db, clock, publicUrl: 'http://x', appSecret: SECRET, log }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, base, SECRET) });
    bot = new Bot({ db: db.db, clock, publicUrl: base, appSecret: SECRET, log });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  const link = (form: 'status' | 'problem') => formLink(SECRET, base, form, katarzyna, clock.now()).replace('http://x', base);
  const post = (url: string, fields: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  const count = async (table: 'problem_reports' | 'status_updates') => Number((await db.db.selectFrom(table).select(db.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('should show the problem form with labelled fields and change nothing on GET', async () => {
    const response = await fetch(link('problem'));
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<label for="f-category">Kategoria');
    expect(page).toContain('<select id="f-category" name="category" required>');
    expect(page).toContain('<option value="audit">kontrola/audyt</option>');
    expect(page).toContain('<textarea id="f-description" name="description" required maxlength="5000">');
    expect(await count('problem_reports')).toBe(0);
  });

  it('should answer 404 to a tampered link and 410 to an expired one', async () => {
    const url = link('problem');
    expect((await fetch(url.slice(0, -3) + 'AAA')).status).toBe(404);
    const expired = formLink(SECRET, base, 'problem', katarzyna, new Date('2026-12-01T00:00:00Z'));
    expect((await fetch(expired)).status).toBe(410);
    expect((await post(expired, { description: 'x' })).status).toBe(410);
  });

  it('should show the form again with the reason and the typed values when the link is not a link, storing nothing', async () => {
    const response = await post(link('problem'), { category: 'audit', urgency: 'urgent', description: 'Kontrola <b>NIK</b> w piątek', link: 'nie-link' });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('Link musi być pełnym adresem http(s)');
    expect(page).toContain('Kontrola &lt;b&gt;NIK&lt;/b&gt; w piątek</textarea>');
    expect(page).toContain('<option value="audit" selected>');
    const unknown = await post(link('problem'), { category: 'pogoda', urgency: 'normal', description: 'x' });
    expect(await unknown.text()).toContain('Nie znamy kategorii „pogoda”');
    expect(await count('problem_reports')).toBe(0);
  });

  it('should refuse a problem without its required category or urgency, naming the field and keeping what was typed (issue 14)', async () => {
    const noCategory = await post(link('problem'), { category: '', urgency: 'urgent', description: 'Kontrola NIK w piątek' });
    expect(noCategory.status).toBe(400);
    const page = await noCategory.text();
    expect(page).toContain('Proszę wybrać pole „Kategoria”');
    expect(page).toContain('Kontrola NIK w piątek</textarea>');
    expect(page).toContain('<option value="urgent" selected>');
    expect(page).toMatch(/<select id="f-category" name="category" required aria-invalid="true"/);
    const noUrgency = await post(link('problem'), { category: 'audit', description: 'Kontrola NIK w piątek' });
    expect(noUrgency.status).toBe(400);
    expect(await noUrgency.text()).toContain('Proszę wybrać pole „Pilność”');
    // The same form in chat (a Teams card does not enforce its required choices).
    const chat = await bot.handle({ type: 'form', from: { channel: 'teams', email: 'katarzyna.wisniewska@example.org' }, formId: 'problem', values: { description: 'x', urgency: 'normal' } });
    expect(chat.formError?.fieldId ?? chat.text).toMatch(/category|Kategoria/);
    expect(await count('problem_reports')).toBe(0);
  });

  it('should store a report once when the same page is sent twice, and mail it to RCPS and the admin', async () => {
    const url = link('problem');
    const fields = { category: 'audit', urgency: 'urgent', description: 'Kontrola z Urzędu Marszałkowskiego w piątek', link: 'https://example.org/pismo.pdf' };
    const first = await post(url, fields);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Zgłoszenie ma numer LDZ-2027-001');
    const second = await post(url, fields);
    expect(await second.text()).toContain('już przyjęliśmy jako LDZ-2027-001');
    expect(await count('problem_reports')).toBe(1);

    await dispatcher.drain();
    const toRcps = smtp.mails.filter((m) => m.subject?.includes('Nowe zgłoszenie LDZ-2027-001'));
    expect(toRcps.map((m) => m.to && 'text' in m.to ? m.to.text : '').sort()).toEqual(['elzbieta.pawlak@example.org', 'jan.kowalski@example.org']);
    expect(toRcps[0]!.subject).toBe('KONTROLA/AUDYT · PILNE · Nowe zgłoszenie LDZ-2027-001 (PZK Łódź – demo)');
    expect(toRcps[0]!.text).toContain('Katarzyna Wiśniewska');
    expect(toRcps[0]!.text).toContain('zgłoszenie LDZ-2027-001 przyjmij');
  });

  it('should mail the reporter when RCPS acknowledges and resolves', async () => {
    const jan = { channel: 'console' as const, email: 'jan.kowalski@example.org' };
    const ack = await bot.handle({ type: 'command', from: jan, command: 'zgłoszenie', text: 'LDZ-2027-001 przyjmij' });
    expect(ack.text).toContain('przyjęte');
    await dispatcher.drain();
    clock.advance(60_000);
    const resolve = await bot.handle({ type: 'command', from: jan, command: 'zgłoszenie', text: 'ldz-2027-001 rozwiąż Kontrola zakończona bez uwag' });
    expect(resolve.text).toContain('rozwiązane');
    await dispatcher.drain();
    const toReporter = smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === 'katarzyna.wisniewska@example.org');
    expect(toReporter.map((m) => m.subject)).toEqual(['Zgłoszenie LDZ-2027-001: przyjęte', 'Zgłoszenie LDZ-2027-001: rozwiązane']);
    expect(toReporter[1]!.text).toContain('Kontrola zakończona bez uwag');
  });

  it('should store a status from the status form', async () => {
    const url = link('status');
    expect(await (await fetch(url)).text()).toContain('<label for="f-done">Co zespół zrobił od ostatniego spotkania?');
    const bad = await post(url, { done: 'Spotkanie z kuratorami', people: 'dużo' });
    expect(bad.status).toBe(400);
    expect(await count('status_updates')).toBe(0);
    const ok = await post(url, { done: 'Spotkanie z kuratorami', next: 'Plan dla 2 rodzin', people: '12', blockers: '' });
    expect(await ok.text()).toContain('został zapisany');
    await post(url, { done: 'Spotkanie z kuratorami', next: 'Plan dla 2 rodzin', people: '12', blockers: '' });
    const rows = await db.db.selectFrom('status_updates').selectAll().execute();
    expect(rows).toMatchObject([{ team_id: 'lodz', done: 'Spotkanie z kuratorami', next_steps: 'Plan dla 2 rodzin', people_count: 12, blockers: null, person_id: katarzyna }]);
  });
});
