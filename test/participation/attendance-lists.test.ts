import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { attendanceListUrl, type AttendanceSubject } from '../../src/participation/attendance-links.js';
import { attendanceRoutes } from '../../src/participation/attendance-routes.js';
import { loadAttendanceList } from '../../src/participation/attendance-list.js';
import { writeAttendancePdf } from '../../src/participation/attendance-pdf.js';
import { Writable } from 'node:stream';
import { signLink } from '../../src/security/signed-links.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { hasPoppler, pdfInfo, pdfText } from '../support/pdf-text.js';
import { bytes, mark, MEETING_DAY, POLISH_LETTERS, POLISH_NAMES, proofFixture, SECRET, serve, TEAM, TRAINING, WORKSHOP } from './proof-fixture.js';

const meeting: AttendanceSubject = { kind: 'meeting', refId: TEAM, day: MEETING_DAY };
const training: AttendanceSubject = { kind: 'activity', refId: TRAINING };
const workshop: AttendanceSubject = { kind: 'activity', refId: WORKSHOP };
/** A printed row: its number, then the name. */
const rowOf = (text: string, name: string) => text.split('\n').find((line) => new RegExp(`^\\s*\\d+\\s+${name}(?=\\s|$)`).test(line));

describe.each(dialects)('lista obecności: PDF, blank PDF and CSV behind signed links, on %s', (kind) => {
  let db: Db;
  let web: Awaited<ReturnType<typeof serve>>;
  let ids: Record<string, number>;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const url = (viewer: number, subject: AttendanceSubject, format: 'pdf' | 'csv' | 'blank.pdf') => attendanceListUrl(web.base, SECRET, viewer, subject, format, clock.now());

  beforeAll(async () => {
    db = await freshDatabase(kind);
    ids = await proofFixture(db.db, clock);
    // The meeting: two present, Ńina absent with Kutno's person 5 coming instead (present), the rest unrecorded.
    await db.db
      .insertInto('meeting_answers')
      .values({ team_id: TEAM, occurrence_date: MEETING_DAY, person_id: ids['lodz3@example.org']!, answer: 'not_attending', reason: 'urlop', substitute_person_id: ids['kutno5@example.org']!, substitute_email: null, absence_id: null, source: 'chat', answered_at: clock.now() })
      .execute();
    await mark(db.db, clock, [
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['lodz1@example.org']!, present: true },
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['lodz2@example.org']!, present: true },
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['lodz3@example.org']!, present: false },
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['kutno5@example.org']!, present: true },
    ]);
    // The training: 65 people who accepted, so 3 pages of 30, 30 and 5.
    const extra = await db.db
      .insertInto('people')
      .values(Array.from({ length: 65 }, (_, i) => ({ email: `t${i}@example.org`, name: `Uczestnik ${String(i + 1).padStart(2, '0')} Źrebięcki`, institution: 'Miejski Ośrodek Pomocy Społecznej w Łodzi, Filia Bałuty', language: 'pl' as const, channels: '["email"]', staff_role: null, source: 'test', removed_at: null })))
      .returning('id')
      .execute();
    await db.db.insertInto('rsvps').values(extra.map((p) => ({ activity_id: TRAINING, person_id: p.id, answer: 'accepted' as const, answered_at: clock.now(), list_order: null }))).execute();
    // The two-day workshop: five who accepted; Ąbel there on day one only.
    await db.db.insertInto('rsvps').values(Object.keys(POLISH_NAMES).slice(0, 5).map((email) => ({ activity_id: WORKSHOP, person_id: ids[email]!, answer: 'accepted' as const, answered_at: clock.now(), list_order: null }))).execute();
    await mark(db.db, clock, [
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-10', person: ids['lodz1@example.org']!, present: true },
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-11', person: ids['lodz1@example.org']!, present: false },
    ]);
    web = await serve(attendanceRoutes({ db: db.db, clock, appSecret: SECRET }));
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await db?.close();
  });

  it('the fixture names hold every Polish letter (so the PDF checks below mean something)', () => {
    const all = Object.values(POLISH_NAMES).join(' ');
    for (const letter of POLISH_LETTERS) expect(all).toContain(letter);
  });

  it.skipIf(!hasPoppler)('should print every member and the substitute of a meeting, with every Polish letter, presence and an empty signature column', async () => {
    const response = await fetch(url(ids['lodz1@example.org']!, meeting, 'pdf'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = await bytes(response);
    expect(pdfInfo(pdf).Pages).toBe('1');
    expect(pdfInfo(pdf)['Page size']).toContain('595.28 x 841.89');
    const text = pdfText(pdf);
    for (const letter of POLISH_LETTERS) expect(text).toContain(letter);
    for (const name of Object.values(POLISH_NAMES)) expect(rowOf(text, name), name).toBeDefined();
    for (const n of [7, 8, 9, 10]) expect(rowOf(text, `Osoba ${n} lodz`)).toBeDefined();
    expect(text).toContain('Kooperacje 3D');
    expect(text).toContain('LISTA OBECNOŚCI');
    expect(text).toContain('Spotkanie PZK');
    expect(text).toContain('9 lutego 2027');
    expect(text).toContain('10:00–12:00');
    expect(text).toContain('Sala 1, PZK Łódź');
    expect(text).toMatch(/Podpis/);
    expect(text).toContain('strona 1 z 1');
    expect(rowOf(text, 'Ąbel Ćwikła')).toMatch(/\btak\s*$/);
    expect(rowOf(text, 'Ńina Óręb-Kończyńska')).toMatch(/\bnie\s*$/);
    expect(rowOf(text, 'Osoba 7 lodz')).toMatch(/—\s*$/);
    expect(rowOf(text, 'Osoba 5 kutno')).toMatch(/\btak\s*$/);
    expect(text).toContain('zastępstwo za: Ńina Óręb-Kończyńska');
  });

  it.skipIf(!hasPoppler)('should leave presence empty in the blank version, with the same people', async () => {
    const response = await fetch(url(ids['lodz1@example.org']!, meeting, 'blank.pdf'));
    expect(response.status).toBe(200);
    const text = pdfText(await bytes(response));
    const rows = text.split('\n').filter((line) => /^\s*\d+\s+\S/.test(line));
    expect(rows).toHaveLength(11);
    for (const name of Object.values(POLISH_NAMES)) expect(rowOf(text, name), name).toBeDefined();
    for (const row of rows) expect(row).not.toMatch(/\s(tak|nie|—)\s*$/);
    expect(text).not.toMatch(/\btak\b/);
    expect(text).toContain('do podpisu');
  });

  it.skipIf(!hasPoppler)('should put 30 rows on a page and repeat the header: 65 people are 3 pages', async () => {
    const pdf = await bytes(await fetch(url(ids['jan.kowalski@example.org']!, training, 'pdf')));
    expect(pdfInfo(pdf).Pages).toBe('3');
    const pages = [1, 2, 3].map((n) => pdfText(pdf, { first: n, last: n }));
    const rows = pages.map((page) => page.split('\n').filter((line) => /^\s*\d+\s+Uczestnik/.test(line)).length);
    expect(rows).toEqual([30, 30, 5]);
    pages.forEach((page, i) => {
      expect(page).toContain('Imię i nazwisko');
      expect(page).toContain('Szkolenie dla PZK Łódź');
      expect(page).toContain(`strona ${i + 1} z 3`);
    });
    for (let n = 1; n <= 65; n++) expect(pages.join('\n')).toContain(`Uczestnik ${String(n).padStart(2, '0')} Źrebięcki`);
  });

  it.skipIf(!hasPoppler)('should give a multi-day workshop one section per day, each with its own presence', async () => {
    const pdf = await bytes(await fetch(url(ids['jan.kowalski@example.org']!, workshop, 'pdf')));
    expect(pdfInfo(pdf).Pages).toBe('2');
    const [day1, day2] = [1, 2].map((n) => pdfText(pdf, { first: n, last: n }));
    expect(day1).toContain('10 marca 2027');
    expect(day1).toContain('dzień 1 z 2');
    expect(rowOf(day1!, 'Ąbel Ćwikła')).toMatch(/\btak\s*$/);
    expect(day2).toContain('11 marca 2027');
    expect(rowOf(day2!, 'Ąbel Ćwikła')).toMatch(/\bnie\s*$/);
  });

  it('should give the same list as Excel-Polish CSV: a row per person per day', async () => {
    const response = await fetch(url(ids['jan.kowalski@example.org']!, workshop, 'csv'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    const raw = Buffer.from(text);
    // fetch drops a BOM when decoding text; the bytes on the wire carry it (checked on the meeting below).
    expect(raw.length).toBeGreaterThan(0);
    const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('lp.;imię i nazwisko;instytucja;zespół;wydarzenie;rodzaj;dzień;godziny;miejsce;obecność;odpowiedź;zastępstwo za');
    expect(lines).toHaveLength(1 + 5 * 2);
    const abel = lines.filter((l) => l.includes('Ąbel Ćwikła'));
    expect(abel).toHaveLength(2);
    expect(abel[0]).toContain(';2027-03-10;09:00–16:00;');
    expect(abel[0]).toMatch(/;obecny;weźmie udział;$/);
    expect(abel[1]).toMatch(/;2027-03-11;.*;nieobecny;weźmie udział;$/);
    expect(lines.find((l) => l.includes('Ęryk Łoś'))).toMatch(/;brak zapisu;weźmie udział;$/);

    const meetingCsv = await fetch(url(ids['lodz1@example.org']!, meeting, 'csv'));
    const bytesOnWire = await bytes(meetingCsv);
    expect([...bytesOnWire.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytesOnWire.toString('utf8');
    expect(csv).toMatch(/Osoba 5 kutno;[^;]*;PZK Łódź;.*;obecny;;Ńina Óręb-Kończyńska\r\n/);
    expect(csv).toMatch(/Ńina Óręb-Kończyńska;.*;nieobecny;zastępstwo: Osoba 5 kutno;\r\n/);
  });

  it('should stop quietly, without an error, when the reader goes away mid-document', async () => {
    const list = (await loadAttendanceList(db.db, training))!;
    let chunks = 0;
    const reader = new Writable({
      write(_chunk, _encoding, done) {
        if (++chunks === 2) this.destroy();
        done();
      },
    });
    await expect(writeAttendancePdf(list, { blank: false, now: clock.now() }, reader)).resolves.toBeUndefined();
    expect(reader.destroyed).toBe(true);
  });

  it('should name the file in ASCII and in UTF-8 (RFC 6266)', async () => {
    const pdf = await fetch(url(ids['lodz1@example.org']!, meeting, 'pdf'));
    expect(pdf.headers.get('content-disposition')).toBe(
      `inline; filename="lista-obecnosci-pzk-lodz-2027-02-09.pdf"; filename*=UTF-8''${encodeURIComponent('lista-obecności-pzk-łódź-2027-02-09.pdf')}`,
    );
    const blank = await fetch(url(ids['lodz1@example.org']!, meeting, 'blank.pdf'));
    expect(blank.headers.get('content-disposition')).toContain('filename="lista-obecnosci-do-podpisu-pzk-lodz-2027-02-09.pdf"');
    const csv = await fetch(url(ids['lodz1@example.org']!, meeting, 'csv'));
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="lista-obecnosci-pzk-lodz-2027-02-09\.csv"/);
    expect(csv.headers.get('cache-control')).toBe('no-store');
  });

  it('should refuse a member, a coordinator of another team, and a coordinator for an RCPS activity, with a bilingual 403', async () => {
    for (const [viewer, subject] of [
      [ids['lodz2@example.org']!, meeting],
      [ids['kutno5@example.org']!, meeting],
      [ids['lodz1@example.org']!, training],
    ] as const) {
      const response = await fetch(url(viewer, subject, 'pdf'), { headers: { accept: 'text/html' } });
      expect(response.status).toBe(403);
      const page = await response.text();
      expect(page).toContain('Brak dostępu do listy obecności');
      expect(page).toContain('no longer a coordinator');
      expect(page).not.toContain('Ąbel');
    }
  });

  it('should refuse a link of a coordinator who has since been demoted, and one of a removed person', async () => {
    const link = url(ids['lodz1@example.org']!, meeting, 'csv');
    expect((await fetch(link)).status).toBe(200);
    await db.db.updateTable('memberships').set({ role: 'member' }).where('team_id', '=', TEAM).where('person_id', '=', ids['lodz1@example.org']!).execute();
    try {
      expect((await fetch(link)).status).toBe(403);
    } finally {
      await db.db.updateTable('memberships').set({ role: 'coordinator' }).where('team_id', '=', TEAM).where('person_id', '=', ids['lodz1@example.org']!).execute();
    }
    const rcps = url(ids['jan.kowalski@example.org']!, meeting, 'pdf');
    await db.db.updateTable('people').set({ removed_at: clock.now() }).where('id', '=', ids['jan.kowalski@example.org']!).execute();
    try {
      expect((await fetch(rcps)).status).toBe(403);
    } finally {
      await db.db.updateTable('people').set({ removed_at: null }).where('id', '=', ids['jan.kowalski@example.org']!).execute();
    }
    expect((await fetch(rcps)).status).toBe(200);
  });

  it('should answer a forged or altered link 404 and an expired one 410, with the bad-link page and nobody named', async () => {
    const good = url(ids['lodz1@example.org']!, meeting, 'pdf');
    const token = good.slice(good.lastIndexOf('/') + 1, -'.pdf'.length);
    const [body, signature] = token.split('.') as [string, string];
    const altered = `${web.base}/attendance/${body}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}.pdf`;
    const foreign = attendanceListUrl(web.base, 'x'.repeat(40), ids['lodz1@example.org']!, meeting, 'pdf', clock.now());
    // Another purpose's token (a personal link) signed with the right secret opens nothing either.
    const otherPurpose = `${web.base}/attendance/${signLink(SECRET, { purpose: 'rsvp', subject: String(ids['lodz1@example.org']), expiresAt: new Date('2030-01-01'), k: 'meeting', r: TEAM, d: MEETING_DAY })}.pdf`;
    for (const bad of [altered, foreign, otherPurpose]) {
      const response = await fetch(bad);
      expect(response.status).toBe(404);
      const page = await response.text();
      expect(page).toContain('Ten link do listy obecności jest niepełny lub nieważny');
      expect(page).toContain('This link to an attendance list');
    }
    const unknownDay = url(ids['lodz1@example.org']!, { ...meeting, day: '2027-02-10' }, 'pdf');
    expect((await fetch(unknownDay)).status).toBe(404);
    clock.advance(31 * 86_400_000);
    try {
      const response = await fetch(good);
      expect(response.status).toBe(410);
      expect(await response.text()).toContain('Ten link do listy obecności wygasł');
    } finally {
      clock.set('2027-02-01T09:00:00Z');
    }
  });
});
