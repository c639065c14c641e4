import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as membershipPeriods from '../../migrations/20261204_0029_membership_periods.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { occurrenceOn } from '../../src/domain/occurrences.js';
import { exportAttendance } from '../../src/export/attendance-export.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { loadAttendanceList } from '../../src/participation/attendance-list.js';
import { loadSummary } from '../../src/participation/attendance-summary.js';
import { meetingRoster } from '../../src/participation/meeting-roster.js';
import { markPresence } from '../../src/participation/presence.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';
import { retentionRules } from '../../src/privacy/retention.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';

/**
 * Membership history (docs/participation.md, "Who came"): a member who left and came back is
 * not a member of the meetings in between, in the check-in list, the marking rule, the summary,
 * the lista obecności and `export attendance`. Periods are half-open, [joined, left): joining
 * exactly as a meeting ends or leaving exactly as it starts misses it; joining exactly as it
 * starts or leaving exactly as it ends keeps it (the doc's rule: joined before its end, not
 * removed before its start).
 *
 * Team "mh" meets on the 2nd and 4th Tuesday, 10:00–12:00 Warsaw (09:00–11:00 UTC). Through the
 * real import, in order:
 *   2027-01-01        Anna (coordinator), Ola, Piotr
 *   2027-01-15        Ola leaves
 *   2027-01-26 11:00Z Piotr leaves exactly as the meeting of the 26th ends
 *   2027-02-01        Ola comes back
 *   2027-02-09 09:00Z Piotr comes back exactly as the meeting of the 9th starts
 *   2027-02-23 09:00Z Ola leaves exactly as the meeting of the 23rd starts
 *   2027-02-23 11:00Z Ola comes back exactly as it ends
 */
const ANNA = 'anna@example.org';
const OLA = 'ola@example.org';
const PIOTR = 'piotr@example.org';
const NAMES: Record<string, string> = { [ANNA]: 'Anna Nowak', [OLA]: 'Ola Wiśniewska', [PIOTR]: 'Piotr Zieliński' };
const EXPECTED: Record<string, string[]> = {
  '2027-01-12': [ANNA, OLA, PIOTR],
  '2027-01-26': [ANNA, PIOTR],
  '2027-02-09': [ANNA, OLA, PIOTR],
  '2027-02-23': [ANNA, PIOTR],
};

function teamWith(...emails: string[]): string {
  const team = aTeam('mh');
  for (const email of emails) team.withMember(NAMES[email]!, email, email === ANNA ? 'coordinator' : 'member');
  return aSchedule().with(team).toYaml();
}

describe.each(dialects)('Membership history on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-01T08:00:00Z');
  const ids: Record<string, number> = {};
  const emailOf = (id: number) => Object.keys(ids).find((e) => ids[e] === id);
  const importAt = async (at: string, ...emails: string[]) => {
    clock.set(at);
    await importYaml(db.db, clock, { 'mh.yaml': teamWith(...emails) });
  };
  const mark = (email: string, day: string) =>
    markPresence(db.db, { kind: 'meeting', refId: 'mh', day, personId: ids[email]!, present: true, method: 'checkin', markedBy: ids[ANNA]! }, clock);
  const occurrence = async (day: string) => occurrenceOn((await loadTeams(db.db, ['mh']))[0]!.meetings, day)!;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importAt('2027-01-01T08:00:00Z', ANNA, OLA, PIOTR);
    for (const p of await db.db.selectFrom('people').select(['id', 'email']).execute()) ids[p.email] = p.id;
    await importAt('2027-01-15T08:00:00Z', ANNA, PIOTR);
    await importAt('2027-01-26T11:00:00Z', ANNA);
    await importAt('2027-02-01T08:00:00Z', ANNA, OLA);
    // Within the late-change days of the 26th, after Ola came back: she cannot be marked for the meeting she missed as a non-member.
    clock.set('2027-02-02T08:00:00Z');
    expect(await mark(OLA, '2027-01-26')).toMatchObject({ ok: false, reason: 'not_listed' });
    // The window is open: a member at that meeting can be marked (Piotr, who has no team now, is no user of the service now).
    expect((await mark(ANNA, '2027-01-26')).ok).toBe(true);
    await importAt('2027-02-09T09:00:00Z', ANNA, OLA, PIOTR);
    await importAt('2027-02-23T09:00:00Z', ANNA, PIOTR);
    await importAt('2027-02-23T11:00:00Z', ANNA, OLA, PIOTR);
  });
  afterAll(async () => db?.close());

  it('should keep one row per membership and a period per stretch, as the imports said', async () => {
    const periods = await db.db.selectFrom('membership_periods').select(['person_id', 'started_at', 'ended_at']).orderBy('person_id').orderBy('started_at').execute();
    const of = (email: string) => periods.filter((p) => p.person_id === ids[email]).map((p) => [p.started_at.toISOString(), p.ended_at?.toISOString() ?? null]);
    expect(of(ANNA)).toEqual([['2027-01-01T08:00:00.000Z', null]]);
    expect(of(OLA)).toEqual([
      ['2027-01-01T08:00:00.000Z', '2027-01-15T08:00:00.000Z'],
      ['2027-02-01T08:00:00.000Z', '2027-02-23T09:00:00.000Z'],
      ['2027-02-23T11:00:00.000Z', null],
    ]);
    expect(of(PIOTR)).toEqual([
      ['2027-01-01T08:00:00.000Z', '2027-01-26T11:00:00.000Z'],
      ['2027-02-09T09:00:00.000Z', null],
    ]);
    // memberships alone cannot tell: one row each, first joined, not removed now.
    const rows = await db.db.selectFrom('memberships').select(['person_id', 'created_at', 'removed_at']).where('team_id', '=', 'mh').execute();
    expect(rows.every((r) => r.removed_at === null && r.created_at.toISOString() === '2027-01-01T08:00:00.000Z')).toBe(true);
  });

  it('should offer on the check-in list only the members at each meeting (the gap and the boundaries)', async () => {
    clock.set('2027-02-24T08:00:00Z');
    for (const [day, expected] of Object.entries(EXPECTED)) {
      const roster = await meetingRoster(db.db, 'mh', day);
      expect(roster.map((e) => emailOf(e.personId)).sort(), day).toEqual(expected);
    }
  });

  it('should refuse to mark someone who left exactly as the meeting started, and allow one who joined exactly then', async () => {
    clock.set('2027-02-24T08:00:00Z');
    expect(await mark(OLA, '2027-02-23')).toMatchObject({ ok: false, reason: 'not_listed' });
    expect((await mark(PIOTR, '2027-02-23')).ok).toBe(true);
  });

  it('should count in the attendance summary only the members at each meeting', async () => {
    for (const [day, expected] of Object.entries(EXPECTED)) {
      const rows = await loadSummary(db.db, 'mh', await occurrence(day));
      expect(rows.map((r) => emailOf(r.personId)).sort(), day).toEqual(expected);
    }
  });

  it('should list on the lista obecności only the members at each meeting (and anyone recorded)', async () => {
    for (const [day, expected] of Object.entries(EXPECTED)) {
      const list = await loadAttendanceList(db.db, { kind: 'meeting', refId: 'mh', day });
      expect(list!.people.map((p) => emailOf(p.personId)).sort(), day).toEqual(expected);
    }
  });

  it('should export a row per member at each meeting, none for a meeting in the gap', async () => {
    const csv = await exportAttendance(db.db, { from: '2027-01-01', to: '2027-02-28', now: clock.now(), team: 'mh' });
    const rows = csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(';'));
    for (const [day, expected] of Object.entries(EXPECTED)) {
      // Columns: wydarzenie (team/date), …, imię i nazwisko (the fourth).
      const names = rows.filter((r) => r[0] === `mh/${day}`).map((r) => r[3]);
      expect(names.sort(), day).toEqual(expected.map((e) => NAMES[e]).sort());
    }
  });

  it('should give the periods in moje-dane, erase them with the person, and purge only ended ones by retention', async () => {
    const data = await collectPersonalData(db.db, ids[OLA]!, clock);
    expect((data.parts.membership_periods as unknown[]).length).toBe(3);
    expect(await erasePersonalData(db.db, ids[OLA]!, clock)).toBe(true);
    expect(await db.db.selectFrom('membership_periods').select('id').where('person_id', '=', ids[OLA]!).execute()).toEqual([]);
    const purge = retentionRules.find((r) => r.name === 'membership_periods')!;
    expect(await purge.purge(db.db, new Date('2027-02-01T00:00:00Z'))).toBe(1);
    const left = await db.db.selectFrom('membership_periods').select(['person_id', 'ended_at']).orderBy('person_id').execute();
    expect(left.map((p) => [emailOf(p.person_id), p.ended_at])).toEqual([[ANNA, null], [PIOTR, null]]);
  });
});

describe.each(dialects)('Migration 0029 (membership periods) on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
  });
  afterAll(async () => db?.close());

  it('should backfill one period [created_at, removed_at) per membership', async () => {
    await membershipPeriods.down(db.db);
    await sql`insert into teams (id, name, area, timezone, source) values ('t', 'T', 'gmina', 'Europe/Warsaw', 'f.yaml')`.execute(db.db);
    const people = await sql<{ id: number }>`insert into people (email, name, source) values ('a@example.org', 'A', 'f.yaml'), ('b@example.org', 'B', 'f.yaml') returning id`.execute(db.db);
    const [a, b] = people.rows.map((r) => r.id) as [number, number];
    await sql`insert into memberships (team_id, person_id, role, created_at, removed_at) values
      ('t', ${a}, 'member', '2027-01-01T08:00:00Z', null), ('t', ${b}, 'member', '2027-01-01T08:00:00Z', '2027-01-15T08:00:00Z')`.execute(db.db);
    await membershipPeriods.up(db.db);
    const rows = await db.db.selectFrom('membership_periods').select(['person_id', 'started_at', 'ended_at']).orderBy('person_id').execute();
    expect(rows).toEqual([
      { person_id: a, started_at: new Date('2027-01-01T08:00:00Z'), ended_at: null },
      { person_id: b, started_at: new Date('2027-01-01T08:00:00Z'), ended_at: new Date('2027-01-15T08:00:00Z') },
    ]);
  });
});
