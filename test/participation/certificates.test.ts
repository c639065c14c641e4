import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../adapters/console/render-text.js';
import { composeMail } from '../../adapters/email/compose.js';
import { renderMessage } from '../../adapters/slack/render-blocks.js';
import { cardSize, CARD_LIMIT, renderCard } from '../../adapters/teams/render-card.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { answersPageRoutes } from '../../src/invitations/answers-page.js';
import { answersPageUrl } from '../../src/invitations/answers-page-links.js';
import { createLogger } from '../../src/log.js';
import { certificateVerifyUrl } from '../../src/participation/certificate-links.js';
import { certificateRoutes } from '../../src/participation/certificate-routes.js';
import { meRoutes } from '../../src/http/me/me-routes.js';
import { personalPageUrl } from '../../src/me/me-link.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { hasPoppler, pdfInfo, pdfText } from '../support/pdf-text.js';
import { bytes, mark, proofFixture, SECRET, serve, TRAINING, WORKSHOP } from './proof-fixture.js';

describe.each(dialects)('zaświadczenie o udziale: sent by RCPS to everyone present or on request, verified by its link, on %s', (kind) => {
  let db: Db;
  let web: Awaited<ReturnType<typeof serve>>;
  let ids: Record<string, number>;
  // The day after the training (20 March 2027).
  const clock = new FixedClock('2027-03-21T09:00:00Z');
  const certificateRows = () => db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'certificate').orderBy('id').execute();
  const ask = (email: string, text: string) =>
    new Bot({ db: db.db, clock, publicUrl: web.base, appSecret: SECRET, log: createLogger('silent') }).handle({ type: 'command', from: { channel: 'console', email }, command: 'zaświadczenie', text });
  const sendAll = (activity: string, headers: Record<string, string> = {}) =>
    fetch(`${answersPageUrl(web.base, SECRET, ids['jan.kowalski@example.org']!, clock.now())}/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: `activity=${encodeURIComponent(activity)}`,
    });
  const render = async (row: DeliveryRow) => deliveryRenderer(db.db, web.base, SECRET)(row, 'pl');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    ids = await proofFixture(db.db, new FixedClock('2027-02-01T09:00:00Z'));
    await mark(db.db, clock, [
      { kind: 'activity', ref: TRAINING, day: '2027-03-20', person: ids['lodz1@example.org']!, present: true },
      { kind: 'activity', ref: TRAINING, day: '2027-03-20', person: ids['lodz4@example.org']!, present: true },
      { kind: 'activity', ref: TRAINING, day: '2027-03-20', person: ids['lodz2@example.org']!, present: false },
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-10', person: ids['lodz1@example.org']!, present: true },
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-11', person: ids['lodz1@example.org']!, present: false },
    ]);
    web = await serve([...meRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }), ...answersPageRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' }), ...certificateRoutes({ db: db.db, clock, appSecret: SECRET, publicUrl: 'http://127.0.0.1' })]);
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await db?.close();
  });

  it('should offer RCPS a "send to everyone present" button per training or workshop with presence', async () => {
    const page = await (await fetch(answersPageUrl(web.base, SECRET, ids['jan.kowalski@example.org']!, clock.now()))).text();
    expect(page).toContain('<h2 id="certificates">Zaświadczenia o udziale</h2>');
    expect(page).toContain('Szkolenie dla PZK Łódź (2 osoby obecne)');
    expect(page).toContain('Warsztaty kooperacyjne (wyjazdowe) (1 osoba obecna)');
    expect(page).toContain('<input type="hidden" name="activity" value="szkolenie-lodz">');
  });

  it('should refuse a post from another site and from someone who is not RCPS, and send nothing', async () => {
    const foreign = await sendAll(TRAINING, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const member = await fetch(`${answersPageUrl(web.base, SECRET, ids['lodz1@example.org']!, clock.now())}/certificates`, { method: 'POST', body: `activity=${TRAINING}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(member.status).toBe(403);
    expect((await sendAll('no-such-activity')).status).toBe(404);
    expect(await certificateRows()).toHaveLength(0);
  });

  it('should send one delivery per person present, only to them, and nothing twice when pressed again', async () => {
    const response = await sendAll(TRAINING);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Wysłaliśmy 2 zaświadczenia za „Szkolenie dla PZK Łódź”');
    const rows = await certificateRows();
    expect(rows.map((r) => r.person_id).sort()).toEqual([ids['lodz1@example.org'], ids['lodz4@example.org']].sort());
    // The absent person and the one never marked get nothing.
    expect(rows.some((r) => r.person_id === ids['lodz2@example.org'] || r.person_id === ids['lodz5@example.org'])).toBe(false);
    const certificates = await db.db.selectFrom('certificates').selectAll().orderBy('id').execute();
    expect(certificates).toHaveLength(2);
    const again = await sendAll(TRAINING);
    expect(await again.text()).toContain('Wszystkie obecne osoby dostały już zaświadczenie');
    expect(await certificateRows()).toHaveLength(2);
    // Each message is rendered for its own person, with that person's own link.
    const [a, b] = await Promise.all(rows.map(render));
    expect(a!.links![0]!.url).not.toBe(b!.links![0]!.url);
    expect(a!.text).toMatch(/zaświadczenie nr ZU\/2027\/\d{6}/);
  });

  it('should carry the download link on every channel, in the person\'s language', async () => {
    const row = (await certificateRows())[0]!;
    for (const language of ['pl', 'en'] as const) {
      const message = (await deliveryRenderer(db.db, web.base, SECRET)(row, language))!;
      const url = message.links![0]!.url;
      expect(message.title).toBe(language === 'pl' ? 'Zaświadczenie o udziale: Szkolenie dla PZK Łódź' : 'Certificate of attendance: Szkolenie dla PZK Łódź');
      expect(JSON.stringify(renderMessage(message))).toContain(url);
      const card = renderCard(message);
      expect(cardSize(card)).toBeLessThanOrEqual(CARD_LIMIT);
      expect(JSON.stringify(card)).toContain(url);
      const mail = composeMail('lodz1@example.org', message);
      expect(mail.ok && String(mail.mail.text)).toContain(url);
      expect(renderText(message)).toContain(url);
    }
  });

  it.skipIf(!hasPoppler)('should download as an A4 PDF with the person, the training, hours, place, number and verification link', async () => {
    const row = (await certificateRows()).find((r) => r.person_id === ids['lodz1@example.org'])!;
    const message = await render(row);
    const response = await fetch(message!.links![0]!.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toMatch(/^inline; filename="zaswiadczenie-szkolenie-lodz-ZU-2027-\d{6}\.pdf"; filename\*=UTF-8''za%C5%9Bwiadczenie/);
    const pdf = await bytes(response);
    expect(pdfInfo(pdf).Pages).toBe('1');
    const text = pdfText(pdf);
    const { number } = await db.db.selectFrom('certificates').select('number').where('person_id', '=', ids['lodz1@example.org']!).where('activity_id', '=', TRAINING).executeTakeFirstOrThrow();
    for (const expected of ['ZAŚWIADCZENIE O UDZIALE', `nr ${number}`, 'Ąbel Ćwikła', 'Sąd Rejonowy', 'Szkolenie dla PZK Łódź', '20 marca 2027, 09:00–13:00', '4 godz.', 'Łódź', 'Kooperacje 3D', 'Weryfikacja']) {
      expect(text).toContain(expected);
    }
    expect(text.replace(/\s+/g, '')).toContain(certificateVerifyUrl('http://127.0.0.1', SECRET, number));
  });

  it('should verify a genuine certificate and say what it certifies; 404 for an altered or forged link', async () => {
    const { number } = await db.db.selectFrom('certificates').select('number').where('person_id', '=', ids['lodz4@example.org']!).executeTakeFirstOrThrow();
    const link = certificateVerifyUrl(web.base, SECRET, number);
    const page = await (await fetch(link)).text();
    expect(page).toContain('<h1>Zaświadczenie jest prawdziwe</h1>');
    expect(page).toContain(`Zaświadczenie nr ${number}`);
    expect(page).toContain('Śnieżka Źdźbło');
    expect(page).toContain('<dd>4 godz.</dd>');
    expect(await (await fetch(`${link}?lang=en`)).text()).toContain('<h1>The certificate is genuine</h1>');
    const token = link.slice(link.lastIndexOf('/') + 1);
    const altered = `${web.base}/certificates/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const otherNumber = certificateVerifyUrl(web.base, 'z'.repeat(40), number);
    const neverIssued = certificateVerifyUrl(web.base, SECRET, 'ZU/2027/999999');
    for (const bad of [altered, otherNumber, neverIssued]) {
      const response = await fetch(bad);
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).toContain('Takiego zaświadczenia nie wydaliśmy');
      expect(text).not.toContain('Śnieżka');
    }
  });

  it('should answer an expired download link 410', async () => {
    const row = (await certificateRows())[0]!;
    const url = (await render(row))!.links![0]!.url;
    clock.advance(31 * 86_400_000);
    try {
      expect((await fetch(url)).status).toBe(410);
    } finally {
      clock.set('2027-03-21T09:00:00Z');
    }
  });

  it('should send a person their own certificate on request, keeping its number; nothing for a person never present', async () => {
    const before = await db.db.selectFrom('certificates').select(['id', 'number']).where('person_id', '=', ids['lodz1@example.org']!).where('activity_id', '=', TRAINING).executeTakeFirstOrThrow();
    const list = await ask('lodz1@example.org', '');
    expect(list.items?.map((i) => i.title).sort()).toEqual(['Szkolenie dla PZK Łódź', 'Warsztaty kooperacyjne (wyjazdowe)']);
    const sent = await ask('lodz1@example.org', TRAINING);
    expect(sent.text).toContain(`Zaświadczenie nr ${before.number}`);
    const after = await db.db.selectFrom('certificates').select(['id', 'number']).where('person_id', '=', ids['lodz1@example.org']!).where('activity_id', '=', TRAINING).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
    expect((await certificateRows()).filter((r) => r.person_id === ids['lodz1@example.org'])).toHaveLength(2);
    // The workshop by a word of its title: one day of two attended, 09:00–16:00.
    await ask('lodz1@example.org', 'warsztaty');
    const workshop = await db.db.selectFrom('certificates').selectAll().where('person_id', '=', ids['lodz1@example.org']!).where('activity_id', '=', WORKSHOP).executeTakeFirstOrThrow();
    expect(JSON.parse(workshop.days)).toEqual(['2027-03-10']);
    expect(workshop.minutes).toBe(7 * 60);

    const count = (await certificateRows()).length;
    for (const email of ['lodz2@example.org', 'lodz5@example.org']) {
      const answer = await ask(email, '');
      expect(answer.text).toContain('Nie ma jeszcze żadnego szkolenia ani warsztatów z odnotowaną Pani/Pana obecnością');
    }
    expect((await ask('lodz4@example.org', 'nieistniejące')).text).toContain('Nie znaleźliśmy szkolenia ani warsztatów „nieistniejące”');
    expect(await certificateRows()).toHaveLength(count);
  });

  it('should offer the person their certificates on the personal page, sent with a button (a POST), only for events they were at', async () => {
    const me = await personalPageUrl(db.db, web.base, SECRET, ids['lodz4@example.org']!, clock.now());
    const page = await (await fetch(me)).text();
    expect(page).toContain('<h2 id="certificates-h">Zaświadczenia o udziale</h2>');
    expect(page).toMatch(/<strong>Szkolenie dla PZK Łódź<\/strong> \(zaświadczenie nr ZU\/2027\/\d{6}\)/);
    const before = (await certificateRows()).length;
    const post = (activity: string) => fetch(`${me}/certificate?lang=pl`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `activity=${activity}` });
    expect((await post(WORKSHOP)).status).toBe(404);
    expect(await certificateRows()).toHaveLength(before);
    const sent = await post(TRAINING);
    expect(sent.status).toBe(303);
    expect(await (await fetch(new URL(sent.headers.get('location')!, web.base))).text()).toContain('Wysłaliśmy link do zaświadczenia');
    const rows = await certificateRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.person_id).toBe(ids['lodz4@example.org']);
    // Someone with no presence recorded sees no such section.
    const other = await personalPageUrl(db.db, web.base, SECRET, ids['lodz5@example.org']!, clock.now());
    expect(await (await fetch(other)).text()).not.toContain('certificates-h');
  });

  it('should show certificates in moje-dane and erase them with the person: the verification link then finds nothing', async () => {
    const id = ids['lodz1@example.org']!;
    const data = await collectPersonalData(db.db, id, clock);
    const mine = data.parts.certificates as { number: string }[];
    expect(mine).toHaveLength(2);
    const link = certificateVerifyUrl(web.base, SECRET, mine[0]!.number);
    expect((await fetch(link)).status).toBe(200);
    await erasePersonalData(db.db, id, clock);
    expect(await db.db.selectFrom('certificates').select('id').where('person_id', '=', id).execute()).toHaveLength(0);
    expect((await fetch(link)).status).toBe(404);
    // Their messages still waiting were cancelled with the erasure.
    const rows = (await certificateRows()).filter((r) => r.person_id === id);
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'cancelled'));
  });
});
