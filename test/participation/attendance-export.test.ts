import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { ATTENDANCE_COLUMNS } from '../../src/export/attendance-export.js';
import { exporters } from '../../src/export/exports.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { mark, MEETING_DAY, proofFixture, TEAM, WORKSHOP } from './proof-fixture.js';

/** Rows as objects by column name (Polish Excel: semicolons, CRLF, BOM; the fixture has no quoted cells). */
function parse(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  const names = header!.split(';');
  return lines.map((line) => Object.fromEntries(line.split(';').map((cell, i) => [names[i]!, cell])));
}

describe.each(dialects)('export attendance: real presence per person and day, per team, on %s', (kind) => {
  let db: Db;
  let ids: Record<string, number>;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const attendance = (from: string, to: string, team?: string) => exporters.attendance!(db.db, { from, to, now: clock.now(), ...(team ? { team } : {}) }).then(parse);

  beforeAll(async () => {
    db = await freshDatabase(kind);
    ids = await proofFixture(db.db, clock);
    await planInvitations(db.db, clock);
    await db.db
      .insertInto('meeting_answers')
      .values([
        { team_id: TEAM, occurrence_date: MEETING_DAY, person_id: ids['lodz3@example.org']!, answer: 'not_attending', reason: null, substitute_person_id: ids['kutno5@example.org']!, substitute_email: null, absence_id: null, source: 'chat', answered_at: clock.now() },
        { team_id: TEAM, occurrence_date: MEETING_DAY, person_id: ids['lodz2@example.org']!, answer: 'attending', reason: null, substitute_person_id: null, substitute_email: null, absence_id: null, source: 'link', answered_at: clock.now() },
      ])
      .execute();
    await mark(db.db, clock, [
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['lodz1@example.org']!, present: true },
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['lodz2@example.org']!, present: false },
      { kind: 'meeting', ref: TEAM, day: MEETING_DAY, person: ids['kutno5@example.org']!, present: true },
      { kind: 'activity', ref: WORKSHOP, day: '2027-03-11', person: ids['lodz1@example.org']!, present: true },
    ]);
  }, 120_000);
  afterAll(async () => db?.close());

  it('should keep the nine columns of the answers export first and add the new ones at the end', async () => {
    const csv = await exporters.attendance!(db.db, { from: MEETING_DAY, to: MEETING_DAY, now: clock.now() });
    expect(csv.split('\r\n')[0]).toBe('\uFEFF' + ATTENDANCE_COLUMNS.join(';'));
    expect(ATTENDANCE_COLUMNS.slice(0, 9)).toEqual(['wydarzenie', 'tytuł', 'początek', 'imię i nazwisko', 'instytucja', 'zespół', 'odpowiedź', 'data odpowiedzi', 'oferta miejsca']);
  });

  it('should give a meeting a row per member and substitute, with the answer and present, absent or no record', async () => {
    const rows = (await attendance(MEETING_DAY, MEETING_DAY)).filter((r) => r.wydarzenie === `${TEAM}/${MEETING_DAY}`);
    expect(rows).toHaveLength(11);
    const by = (name: string) => rows.find((r) => r['imię i nazwisko'] === name)!;
    expect(by('Ąbel Ćwikła')).toMatchObject({ obecność: 'obecny', odpowiedź: 'brak odpowiedzi', rodzaj: 'Spotkanie PZK', dzień: MEETING_DAY, godziny: '10:00–12:00', 'liczba godzin': '2' });
    expect(by('Ęryk Łoś')).toMatchObject({ obecność: 'nieobecny', odpowiedź: 'będzie' });
    expect(by('Ńina Óręb-Kończyńska')).toMatchObject({ obecność: 'brak zapisu', odpowiedź: 'zastępstwo: Osoba 5 kutno' });
    expect(by('Osoba 5 kutno')).toMatchObject({ obecność: 'obecny', zespół: 'PZK Łódź', 'zastępstwo za': 'Ńina Óręb-Kończyńska' });
    // Other teams' meetings that day are there too, with nothing recorded.
    expect((await attendance(MEETING_DAY, MEETING_DAY)).filter((r) => r.wydarzenie === `kutno/${MEETING_DAY}`).every((r) => r.obecność === 'brak zapisu')).toBe(true);
  });

  it('should give a two-day workshop a row per invited person per day, with that day\'s hours', async () => {
    const rows = (await attendance('2027-03-10', '2027-03-11')).filter((r) => r.wydarzenie === WORKSHOP);
    expect(rows).toHaveLength(30 * 2);
    const abel = rows.filter((r) => r['imię i nazwisko'] === 'Ąbel Ćwikła');
    expect(abel.map((r) => [r.dzień, r.godziny, r['liczba godzin'], r.obecność])).toEqual([
      ['2027-03-10', '09:00–16:00', '7', 'brak zapisu'],
      ['2027-03-11', '09:00–16:00', '7', 'obecny'],
    ]);
    // A range holding one of its days gets that day only.
    const second = (await attendance('2027-03-11', '2027-03-11')).filter((r) => r.wydarzenie === WORKSHOP);
    expect([...new Set(second.map((r) => r.dzień))]).toEqual(['2027-03-11']);
  });

  it('should limit --team to that team: its meetings and its members\' activity rows', async () => {
    const rows = await attendance('2027-02-01', '2027-03-31', 'kutno');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.wydarzenie!.startsWith('kutno/') || r.zespół === 'PZK Kutno')).toBe(true);
    expect(rows.some((r) => r.wydarzenie === WORKSHOP)).toBe(true);
    expect(rows.some((r) => r.wydarzenie!.startsWith(`${TEAM}/`))).toBe(false);
    // Kutno's person 5 substituted at a Łódź meeting: that row belongs to Łódź's export, not Kutno's.
    expect((await attendance(MEETING_DAY, MEETING_DAY, TEAM)).some((r) => r['imię i nazwisko'] === 'Osoba 5 kutno')).toBe(true);
  });
});
