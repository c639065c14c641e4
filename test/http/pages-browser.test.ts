import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPerson } from '../../src/bot/identity.js';
import { FixedClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { createLogger } from '../../src/log.js';
import { startService, type RunningService } from '../../src/main.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { tokenOfLink } from '../../src/me/personal-links.js';
import { reportPageUrl } from '../../src/reports/report-links.js';
import { answersPageUrl } from '../../src/invitations/answers-page-links.js';
import { deliveryReportUrl } from '../../src/announcements/report-page-links.js';
import { signLink } from '../../src/security/signed-links.js';
import { sinkSender, startSink } from '../delivery/http-sink.js';
import { browserRequired, CHROMIUM, hasChromium, missingChromium } from '../support/browser.js';

/**
 * The pages in a real browser (Debian's Chromium driven by playwright-core) against the real
 * service on the demo schedule, with an axe-core check of each page.
 */
const PUBLIC = 'https://koop.example.org';
const chromiumHere = hasChromium();

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
// Screenshots for the README are refreshed only on request (SCREENSHOTS=1), so a test run leaves the checkout clean.
const DOCS = join(import.meta.dirname, '..', '..', 'docs');
const screenshot = async (page: Page, name: string, fullPage = false): Promise<void> => {
  if (process.env.SCREENSHOTS === '1') await page.screenshot({ path: join(DOCS, name), fullPage });
};

// CI must not pass without them: REQUIRE_BROWSER=1 turns the skip into a failure.
if (!chromiumHere && browserRequired()) {
  describe('the pages in a browser', () => {
    it('needs Chromium (REQUIRE_BROWSER=1)', () => {
      throw new Error(`The browser tests cannot run: ${missingChromium()}. REQUIRE_BROWSER=1 does not let them be skipped.`);
    });
  });
}

describe.skipIf(!chromiumHere)('the pages in a browser', () => {
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  let service: RunningService;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let secret: string;
  const personId = async (email: string) => (await service.db.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  /** The token of the last confirmation sent (what the person finds in their channel). */
  const lastConfirmation = async () => {
    const sent = await service.db.db.selectFrom('deliveries').select('payload').where('kind', '=', 'confirmation').orderBy('id', 'desc').executeTakeFirstOrThrow();
    return (await tokenOfLink(service.db.db, secret, Number((sent.payload as { linkId: string }).linkId)))!.token;
  };
  const mePath = async (email: string) => new URL(await personalPageUrl(service.db.db, PUBLIC, secret, await personId(email), clock.now())).pathname;

  /** axe-core in the page: the violations that are serious or critical. */
  async function seriousViolations(): Promise<string[]> {
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
      return axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'koop-browser-'));
    const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: PUBLIC, LOG_LEVEL: 'silent' });
    secret = config.appSecret;
    service = await startService(config, createLogger('silent'), clock);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ baseURL: service.url, locale: 'pl-PL', viewport: { width: 1000, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('should list the demo schedule in Polish and pass axe', async () => {
    await page.goto('/');
    expect(await page.getAttribute('html', 'lang')).toBe('pl');
    await expect(page.locator('h1').textContent()).resolves.toBe('Harmonogram spotkań PZK i działań RCPS');
    const first = page.locator('ol.events li').filter({ hasText: 'wtorek, 12 stycznia 2027, 10:00' });
    await expect(first.textContent()).resolves.toContain('Spotkanie zespołu: PZK Łódź – demo');
    await expect(first.textContent()).resolves.toContain('Sala 12, ul. Przykładowa 1, 90-001 Łódź');
    expect(await first.locator('a').getAttribute('href')).toBe('https://example.org/meet/pzk-lodz');
    expect(await page.locator('ol.events li[data-kind="training"]').count()).toBeGreaterThan(0);
    await screenshot(page, 'schedule-page.png', true);
    expect(await seriousViolations()).toEqual([]);
  });

  it('should filter by team and kind with the form, without leaving others in the list', async () => {
    await page.goto('/');
    await page.selectOption('#team', 'lowicz');
    await page.selectOption('#kind', 'meeting');
    await page.getByRole('button', { name: 'Pokaż' }).click();
    await page.waitForURL(/team=lowicz/);
    const items = page.locator('ol.events li');
    expect(await items.count()).toBeGreaterThan(0);
    expect(new Set(await items.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.getAttribute('data-team')}`)))).toEqual(new Set(['meeting lowicz']));
    expect(await page.locator('#team').inputValue()).toBe('lowicz');
    // The team's own feed is offered next to all.ics.
    expect(await page.locator('#feed-lowicz-url').inputValue()).toBe(`${PUBLIC}/calendars/teams/lowicz.ics`);
  });

  it('should offer webcal, Google, Outlook and https links with the right addresses, and a working copy button', async () => {
    await page.goto('/');
    const feed = `${PUBLIC}/calendars/all.ics`;
    const block = page.locator('#feed-all-h').locator('xpath=..');
    expect(await block.locator('a[data-kind="webcal"]').getAttribute('href')).toBe('webcal://koop.example.org/calendars/all.ics');
    expect(await block.locator('a[data-kind="google"]').getAttribute('href')).toBe(`https://calendar.google.com/calendar/render?cid=${encodeURIComponent(feed)}`);
    const outlook = new URL((await block.locator('a[data-kind="outlook"]').getAttribute('href'))!);
    expect(outlook.origin + outlook.pathname).toBe('https://outlook.office.com/calendar/0/addfromweb');
    expect(outlook.searchParams.get('url')).toBe(feed);
    expect(outlook.searchParams.get('name')).toBe('Kooperator – spotkania PZK i działania RCPS');
    expect(await block.locator('#feed-all-url').inputValue()).toBe(feed);
    await expect(block.textContent()).resolves.toContain('co 8–24 godziny');
    await block.getByRole('button', { name: 'Kopiuj adres' }).click();
    await page.getByRole('status').filter({ hasText: 'Skopiowano' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(feed);

    await page.goto('/subscribe');
    expect(await page.locator('#feed-lodz-url').inputValue()).toBe(`${PUBLIC}/calendars/teams/lodz.ics`);
    expect(await seriousViolations()).toEqual([]);
  });

  it('should switch to English', async () => {
    await page.goto('/');
    await page.getByRole('link', { name: 'English' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    const first = await page.locator('ol.events li').filter({ hasText: 'Team meeting: PZK Łódź – demo' }).first().textContent();
    expect(first).toMatch(/Tuesday,? 12 January 2027, 10:00/);
    await screenshot(page, 'schedule-page-en.png');
    expect(await seriousViolations()).toEqual([]);
  });

  it('should revoke the feed link on the personal page: the old address then answers 404', async () => {
    const me = await mePath('anna.nowak@example.org');
    await page.goto(me);
    // No link yet: a GET makes none.
    await page.getByRole('button', { name: 'Utwórz link do kalendarza' }).click();
    const firstUrl = await page.locator('#feed-me-url').inputValue();
    const first = new URL(firstUrl).pathname;
    expect(first).toMatch(/^\/calendars\/u\/[\w-]+\.ics$/);
    expect((await fetch(service.url + first)).status).toBe(200);
    await screenshot(page, 'personal-page.png', true);
    expect(await seriousViolations()).toEqual([]);

    await page.getByRole('button', { name: 'Unieważnij link i utwórz nowy' }).click();
    // A forwarded page link must not cut its owner's calendar off: the new link is made from a confirmation sent to her.
    await expect(page.locator('h1').textContent()).resolves.toBe('Prosimy o potwierdzenie');
    expect((await fetch(service.url + first)).status).toBe(200);
    await page.goto(`/me/confirm/${await lastConfirmation()}`);
    await page.getByRole('button', { name: 'Utwórz nowy link' }).click();
    await page.getByText('Utworzono nowy link. Poprzedni już nie działa.').waitFor();
    await page.goto(me);
    const second = new URL(await page.locator('#feed-me-url').inputValue()).pathname;
    expect(second).not.toBe(first);
    expect((await fetch(service.url + first)).status).toBe(404);
    expect((await fetch(service.url + second)).status).toBe(200);
  });

  it('should turn a channel off on the personal page, and the real Dispatcher then skips that channel', async () => {
    const marta = await personId('marta.grabowska@example.org');
    await linkPerson(service.db.db, marta, 'teams', 'aad-marta', 'teams-ref-marta');
    await page.goto(await mePath('marta.grabowska@example.org'));
    await page.getByLabel('e-mail').check();
    await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
    await page.getByText('Zapisano ustawienia.').waitFor();
    expect(await page.getByLabel('e-mail').isChecked()).toBe(true);

    // Due later than the service's own (fixed) clock, so only this dispatcher takes it (with
    // whatever else the service queued by then, such as invitations: only this row is looked at).
    const later = new FixedClock('2027-01-04T10:00:00Z');
    await enqueue(service.db.db, [
      { key: 'browser-test', kind: 'notice', personId: marta, channels: ['email', 'teams'], payload: { language: 'pl', title: 'Zmiana', text: 'x' }, dueAt: later.now() },
    ]);
    const sink = await startSink();
    try {
      const dispatcher = new Dispatcher({
        db: service.db.db,
        clock: later,
        log: createLogger('silent'),
        workerId: 'browser-test',
        senders: new Map([
          ['email', sinkSender('email', sink.url)],
          ['teams', sinkSender('teams', sink.url)],
        ]),
      });
      await dispatcher.drain();
      expect(sink.received.filter((r) => r.title === 'Zmiana')).toEqual([{ address: 'teams-ref-marta', title: 'Zmiana' }]);
    } finally {
      await sink.close();
    }
    // Turning off the last channel is refused and changes nothing.
    await page.getByLabel('Microsoft Teams').check();
    await page.getByRole('button', { name: 'Zapisz ustawienia' }).click();
    await page.getByText('Nie można wyłączyć wszystkich kanałów').waitFor();
  });

  it('should keep English on the personal page across a saved form', async () => {
    await page.goto(`${await mePath('anna.nowak@example.org')}?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.selectOption('#quiet_from', '22');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Your settings were saved.').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('#quiet_from').inputValue()).toBe('22');
    expect(await seriousViolations()).toEqual([]);
  });

  it('should download my data as JSON and erase it after a confirmation; the link then answers 410', async () => {
    const me = await mePath('katarzyna.wisniewska@example.org');
    const download = await page.request.get(`${me}/data.json`);
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename="kooperator-moje-dane-2027-01-04\.json"$/);
    expect((await download.json()).parts.people).toMatchObject({ email: 'katarzyna.wisniewska@example.org' });

    await page.goto(me);
    await page.getByRole('link', { name: 'Usuń moje dane…' }).click();
    expect(await seriousViolations()).toEqual([]);
    await page.getByLabel('Rozumiem i chcę usunąć moje dane').check();
    await page.getByRole('button', { name: 'Usuń moje dane' }).click();
    // The page only asks: the erasure is done from the confirmation sent to her own channel.
    await expect(page.locator('h1').textContent()).resolves.toBe('Prosimy o potwierdzenie');
    await page.goto(`/me/confirm/${await lastConfirmation()}`);
    expect(await seriousViolations()).toEqual([]);
    await page.getByRole('button', { name: 'Usuń moje dane' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Dane usunięte');
    expect((await page.request.get(me)).status()).toBe(410);
    expect(await service.db.db.selectFrom('people').select('id').where('email', '=', 'katarzyna.wisniewska@example.org').executeTakeFirst()).toBeUndefined();
  });

  it('should let an RCPS person acknowledge a problem report on its page, pass axe, and queue the news for the reporter', async () => {
    const from = { channel: 'console' as const, email: 'piotr.kaminski@example.org' };
    const filed = await service.bot.handle({ type: 'command', from, command: 'problem', text: 'Brak <sali> na spotkanie w lutym' });
    const code = /[A-Z]{3}-2027-\d{3}/.exec(filed.text)![0];
    const jan = await personId('jan.kowalski@example.org');
    await page.goto(new URL(reportPageUrl(PUBLIC, secret, jan, code, clock.now())).pathname);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Zgłoszenie ${code}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Brak <sali> na spotkanie w lutym');
    expect(await seriousViolations()).toEqual([]);
    await page.getByLabel(/^Komentarz/).fill('Sprawdzę salę w MOPS.');
    await page.getByRole('button', { name: 'Przyjmij' }).click();
    await page.getByText(`Zapisano. Zgłoszenie ${code} jest teraz: przyjęte.`).waitFor();
    expect(await page.getByRole('button', { name: 'Przyjmij' }).count()).toBe(0);
    expect(await seriousViolations()).toEqual([]);
    const piotr = await personId('piotr.kaminski@example.org');
    const news = await service.db.db.selectFrom('deliveries').select('payload').where('kind', '=', 'report_update').where('person_id', '=', piotr).execute();
    expect(news.map((n) => (n.payload as { title: string }).title)).toEqual([`Zgłoszenie ${code}: przyjęte`]);
  });

  it('should show an RCPS person the answers to invitations and an author the delivery report, each on its signed page, passing axe', async () => {
    const jan = await personId('jan.kowalski@example.org');
    const people = await service.db.db.selectFrom('people').select('id').where('staff_role', 'is', null).execute();
    const upcoming = await service.db.db.selectFrom('activities').select('id').where('starts_at', '>', clock.now()).where('cancelled_at', 'is', null).orderBy('starts_at').executeTakeFirstOrThrow();
    await service.db.db.deleteFrom('invitations').where('activity_id', '=', upcoming.id).execute();
    await service.db.db.insertInto('invitations').values(people.map((p, i) => ({ activity_id: upcoming.id, person_id: p.id, sequence: i, invited_at: clock.now() }))).execute();
    await page.goto(new URL(answersPageUrl(PUBLIC, secret, jan, clock.now())).pathname);
    await expect(page.locator('h1').textContent()).resolves.toBe('Zaproszenia: odpowiedzi');
    await expect(page.locator('main').textContent()).resolves.toContain(`zaproszeni ${people.length}`);
    expect(await seriousViolations()).toEqual([]);

    const { id } = await service.db.db
      .insertInto('announcements')
      .values({ author_id: jan, text: 'Zmiana sali', team_ids: JSON.stringify(['lodz']), state: 'sent', created_at: clock.now(), sent_at: clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueue(service.db.db, [{ key: `announcement:${id}:${people[0]!.id}`, kind: 'announcement', personId: people[0]!.id, channels: ['email'], payload: { type: 'announcement', id: String(id) }, dueAt: clock.now() }]);
    await service.db.db.updateTable('deliveries').set({ state: 'failed', last_error: 'email: 550 5.1.1 Recipient address rejected' }).where('dedupe_key', '=', `announcement:${id}:${people[0]!.id}`).execute();
    await page.goto(`${new URL(deliveryReportUrl(PUBLIC, secret, jan, id, clock.now())).pathname}?lang=en`);
    await expect(page.locator('h1').textContent()).resolves.toBe(`Delivery report of announcement no. ${id}`);
    await expect(page.locator('main').textContent()).resolves.toContain('Not delivered (1)');
    expect(await seriousViolations()).toEqual([]);
  });

  it('should answer bad and expired links with a polite page, and refuse a POST from another site', async () => {
    const bad = await page.goto('/me/abc.def');
    expect(bad?.status()).toBe(404);
    await expect(page.locator('main').textContent()).resolves.toContain('jest niepełny lub nieważny');
    expect(await seriousViolations()).toEqual([]);
    const expired = signLink(secret, { purpose: 'me', subject: String(await personId('anna.nowak@example.org')), expiresAt: new Date('2027-01-01T00:00:00Z') });
    expect((await page.goto(`/me/${expired}`))?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('Link wygasł / The link has expired');
    const rsvpToken = signLink(secret, { purpose: 'rsvp', subject: '1', expiresAt: new Date('2030-01-01T00:00:00Z') });
    expect((await page.goto(`/me/${rsvpToken}`))?.status()).toBe(404);

    const me = await mePath('anna.nowak@example.org');
    const forged = await fetch(`${service.url}${me}/feed`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(forged.status).toBe(403);
  });
});
