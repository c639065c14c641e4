import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import { cardSize, CARD_LIMIT, renderCard } from '../../adapters/teams/render-card.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { answersPageRoutes } from '../../src/invitations/answers-page.js';
import { answersPageUrl } from '../../src/invitations/answers-page-links.js';
import { reportPageUrl } from '../../src/reports/report-links.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { importFixture, personId, TRAINING, WORKSHOP } from './support.js';

const SECRET = 'a'.repeat(40);
const log = createLogger('silent');
const HOSTILE = 'Urząd <script>alert(1)</script> & "Ś"';

describe.each(dialects)('the RCPS answers page, whole for 500 invitees, behind a signed link, on %s', (kind) => {
  let db: Db;
  let server: Server;
  let base = '';
  const clock = new FixedClock('2027-02-01T09:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importFixture(db.db, clock);
    // 470 more invitees, each of their own institution, invited to two activities: 500 rows in
    // each table by institution, more than a Slack message's 50 blocks hold.
    const added = await db.db
      .insertInto('people')
      .values(Array.from({ length: 470 }, (_, i) => ({ email: `extra${i}@example.org`, name: `Extra ${i}`, institution: i === 0 ? HOSTILE : `Powiatowe Centrum Pomocy Rodzinie w Tomaszowie Mazowieckim, Oddział Terenowy nr ${String(i).padStart(3, '0')}`, language: 'pl' as const, channels: JSON.stringify(['email']), staff_role: null, source: 'test', removed_at: null })))
      .returning('id')
      .execute();
    const fixture = await db.db.selectFrom('people').select('id').where('email', 'like', '%@example.org').where('email', 'not like', 'extra%').where('staff_role', 'is', null).execute();
    await db.db.deleteFrom('invitations').execute();
    await db.db
      .insertInto('invitations')
      .values([WORKSHOP, TRAINING].flatMap((activity) => [...fixture, ...added].map((p, i) => ({ activity_id: activity, person_id: p.id, sequence: i, invited_at: clock.now() }))))
      .execute();
    server = createHttpServer({ routes: answersPageRoutes({ db: db.db, clock, appSecret: SECRET }), mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.close();
  });

  const asRcps = () => new Bot({ db: db.db, clock, publicUrl: base, appSecret: SECRET, log }).handle({ type: 'command', from: { channel: 'console', email: 'jan.kowalski@example.org' }, command: 'warsztaty', text: '' });

  it('should shorten the chat answer in Slack and Teams with what is left and a link to exactly this person\'s page', async () => {
    const answer = await asRcps();
    const jan = await personId(db.db, 'jan.kowalski@example.org');
    expect(answer.fullView).toBe(answersPageUrl(base, SECRET, jan, clock.now()));
    const slack = JSON.stringify(renderMessage(answer));
    expect(slack).toMatch(/jeszcze \d+/);
    expect(slack).toContain(`<${answer.fullView}|całość na stronie>`);
    const card = renderCard(answer);
    expect(cardSize(card)).toBeLessThanOrEqual(CARD_LIMIT);
    expect(JSON.stringify(card)).toContain(`[całość na stronie](${answer.fullView})`);
  });

  it('should show every team and all 500 institutions, escaped, in Polish and in English', async () => {
    const url = (await asRcps()).fullView!;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).toContain('<html lang="pl">');
    expect(page).toContain('<h1>Zaproszenia: odpowiedzi</h1>');
    expect(page).toContain('zaproszeni 500, wezmą udział 0');
    expect(page.match(/<tr><th scope="row">Powiatowe Centrum [^<]+ nr \d{3}<\/th>/g)).toHaveLength(2 * 469);
    expect(page).toContain('<th scope="row">PZK Łódź</th><td>10</td>');
    expect(page).toContain('Urząd &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Ś&quot;');
    expect(page).not.toContain('<script');
    const english = await (await fetch(`${url}?lang=en`)).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('<h1>Invitations: answers</h1>');
    expect(english).toContain('<th scope="col">No answer</th>');
  });

  it('should refuse a forged link (404), an expired one (410), a report link (404) and a person no longer RCPS (403)', async () => {
    const jan = await personId(db.db, 'jan.kowalski@example.org');
    const url = answersPageUrl(base, SECRET, jan, clock.now());
    const forged = await fetch(`${url.slice(0, -2)}xx`);
    expect(forged.status).toBe(404);
    expect(await forged.text()).toContain('This link is invalid');
    expect((await fetch(answersPageUrl(base, 'b'.repeat(40), jan, clock.now()))).status).toBe(404);
    const expired = await fetch(answersPageUrl(base, SECRET, jan, new Date('2026-12-01T00:00:00Z')));
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('działa 30 dni');
    const reportToken = reportPageUrl(base, SECRET, jan, 'LDZ-2027-001', clock.now()).split('/reports/')[1];
    expect((await fetch(`${base}/activities/${reportToken}`)).status).toBe(404);
    const member = await personId(db.db, 'lodz2@example.org');
    const refused = await fetch(answersPageUrl(base, SECRET, member, clock.now()));
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('Ta strona jest dla pracowników RCPS');
    await db.db.updateTable('people').set({ staff_role: null }).where('id', '=', jan).execute();
    expect((await fetch(url)).status).toBe(403);
    await db.db.updateTable('people').set({ staff_role: 'rcps' }).where('id', '=', jan).execute();
  });
});
