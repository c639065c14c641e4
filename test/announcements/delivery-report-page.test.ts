import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import { deliveryReportPageRoutes } from '../../src/announcements/report-page.js';
import { deliveryReportUrl } from '../../src/announcements/report-page-links.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { answersPageUrl } from '../../src/invitations/answers-page-links.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importFixture, personId } from '../invitations/support.js';

const SECRET = 'd'.repeat(40);
const log = createLogger('silent');
const HOSTILE = 'Anna <script>alert(1)</script> & "Nowak"';
const REJECTED = 'email: 550 5.1.1 Recipient address rejected: User unknown in virtual mailbox table';

/** An announcement by `author` to `reached` people reached by e-mail and `failed` people whose mail bounced. */
async function announcementWith(db: Db, clock: FixedClock, author: number, reached: number, failed: number, tag: string): Promise<{ id: number; report: DeliveryRow }> {
  const { id } = await db.db
    .insertInto('announcements')
    .values({ author_id: author, text: 'Zmiana sali <b>jutro</b> & pojutrze', team_ids: JSON.stringify(['lodz']), state: 'sent', created_at: clock.now(), sent_at: clock.now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const people = await db.db
    .insertInto('people')
    .values(Array.from({ length: reached + failed }, (_, i) => ({ email: `${tag}${i}@example.org`, name: i === 0 ? HOSTILE : `Odbiorca ${tag} ${String(i).padStart(3, '0')}`, institution: null, language: 'pl' as const, channels: JSON.stringify(['email']), staff_role: null, source: 'test', removed_at: null })))
    .returning('id')
    .execute();
  const now = clock.now();
  await db.db
    .insertInto('deliveries')
    .values(
      people.map((p, i) => ({
        dedupe_key: `announcement:${id}:${p.id}`,
        kind: 'announcement',
        person_id: p.id,
        team_id: 'lodz',
        channels: JSON.stringify(['email']),
        payload: JSON.stringify({ type: 'announcement', id: String(id) }),
        due_at: now,
        next_attempt_at: now,
        state: i < failed ? ('failed' as const) : ('sent' as const),
        last_error: i < failed ? REJECTED : null,
        sent_channel: i < failed ? null : 'email',
        sent_at: i < failed ? null : now,
      })),
    )
    .execute();
  const report = await db.db
    .insertInto('deliveries')
    .values({ dedupe_key: `announcement-report:${id}`, kind: 'announcement-report', person_id: author, team_id: null, channels: JSON.stringify(['slack']), payload: JSON.stringify({ type: 'announcement_report', id: String(id) }), due_at: now, next_attempt_at: now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { id, report };
}

describe.each(dialects)('the delivery report page of an announcement, for its author, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base = '';
  let author = 0;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  let small: { id: number; report: DeliveryRow };
  let large: { id: number; report: DeliveryRow };

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
    author = await personId(db.db, 'jan.kowalski@example.org');
    small = await announcementWith(db, clock, author, 27, 73, 'a');
    large = await announcementWith(db, clock, author, 0, 900, 'b');
    server = createHttpServer({ routes: deliveryReportPageRoutes({ db: db.db, clock, appSecret: SECRET }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  const render = (row: DeliveryRow) => deliveryRenderer(db.db, base, SECRET)(row, 'pl');

  it('should link the report message to exactly its author\'s page, and in Slack shorten what does not fit with a link to it', async () => {
    const message = (await render(small.report))!;
    expect(message.fullView).toBe(deliveryReportUrl(base, SECRET, author, small.id, small.report.due_at));
    expect(message.text).toBe('Ogłoszenie dotarło do 27 z 100 odbiorców.');
    const fits = JSON.stringify(renderMessage(message));
    expect(fits.match(/Odbiorca a \d{3}: Serwer poczty odbiorcy odrzucił adres/g)).toHaveLength(72);
    const big = (await render(large.report))!;
    expect(big.fullView).toBe(deliveryReportUrl(base, SECRET, author, large.id, large.report.due_at));
    const slack = JSON.stringify(renderMessage(big));
    expect(slack).toMatch(/jeszcze \d+/);
    expect(slack).toContain(`<${big.fullView}|całość na stronie>`);
  });

  it('should list every one of 73 recipients not reached with the reason, escaped, in Polish and in English', async () => {
    const url = (await render(small.report))!.fullView!;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain('<html lang="pl">');
    expect(page).toContain(`<h1>Raport o dostarczeniu ogłoszenia nr ${small.id}</h1>`);
    expect(page).toContain('Ogłoszenie dotarło do 27 z 100 odbiorców.');
    expect(page).toContain('<h2>Nie dotarło (73)</h2>');
    expect(page.match(/<tr><td>Odbiorca a \d{3}<\/td><td>[^<]+<\/td><\/tr>/g)).toHaveLength(72);
    expect(page).toContain('<td>Anna &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Nowak&quot;</td>');
    expect(page).toContain('Zmiana sali &lt;b&gt;jutro&lt;/b&gt; &amp; pojutrze');
    expect(page).not.toContain('<script');
    const english = await (await fetch(`${url}?lang=en`)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('<h2>Not delivered (73)</h2>');
    expect(english).toContain('The announcement reached 27 of 100 recipients.');
  });

  it('should refuse a forged link (404), an expired one (410), a link for another page or another author (404)', async () => {
    const url = deliveryReportUrl(base, SECRET, author, small.id, clock.now());
    const forged = await fetch(url.replace(/..\/report$/, 'xx/report'));
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('This link is invalid');
    const expired = await fetch(deliveryReportUrl(base, SECRET, author, small.id, new Date('2026-12-01T00:00:00Z')));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('działa 30 dni');
    const answersToken = answersPageUrl(base, SECRET, author, clock.now()).split('/activities/')[1];
    expect((await fetch(`${base}/announcements/${answersToken}/report`)).status).toBe(404);
    const member = await personId(db.db, 'lodz2@example.org');
    expect((await fetch(deliveryReportUrl(base, SECRET, member, small.id, clock.now()))).status).toBe(404);
  });
});
