import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { exporters } from '../../src/export/exports.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { attendanceListUrl } from '../../src/participation/attendance-links.js';
import { attendanceRoutes } from '../../src/participation/attendance-routes.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { mark, MEETING_DAY, proofFixture, SECRET, serve, TEAM, WORKSHOP } from './proof-fixture.js';

/** Rows as objects by column name (the cells here hold no separators). */
function parse(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  const names = header!.split(';');
  return lines.map((line) => Object.fromEntries(line.split(';').map((cell, i) => [names[i]!, cell])));
}

describe.each(dialects)('attendance days and report periods on %s', (kind) => {
  let db: Db;
  let ids: Record<string, number>;
  let web: Awaited<ReturnType<typeof serve>>;
  const clock = new FixedClock('2027-02-01T09:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    ids = await proofFixture(db.db, clock);
    await planInvitations(db.db, clock);
    web = await serve(attendanceRoutes({ db: db.db, clock, appSecret: SECRET }));
  }, 120_000);
  afterAll(async () => {
    await web?.close();
    await db?.close();
  });

  it('should give the list of a team whose name has a letter outside the BMP at the 60th character', async () => {
    // Styled "bold" letters (U+1D400…) are \p{L}; people paste them from generators into names.
    await db.db.updateTable('teams').set({ name: `${'a'.repeat(59)}𝐏𝐙𝐊` }).where('id', '=', TEAM).execute();
    try {
      const response = await fetch(attendanceListUrl(web.base, SECRET, ids['lodz1@example.org']!, { kind: 'meeting', refId: TEAM, day: MEETING_DAY }, 'csv', clock.now()));
      expect(response.status).toBe(200);
    } finally {
      await db.db.updateTable('teams').set({ name: 'PZK Łódź' }).where('id', '=', TEAM).execute();
    }
  });

  it('should export each day of an activity across a month boundary in the period it takes place in, once', async () => {
    // The workshop moved to run 31 March – 1 April 2027 (09:00–16:00 each day).
    const before = await db.db.selectFrom('activities').selectAll().where('id', '=', WORKSHOP).executeTakeFirstOrThrow();
    await db.db
      .updateTable('activities')
      .set({ starts_local: '2027-03-31T09:00', ends_local: '2027-04-01T16:00', starts_at: new Date('2027-03-31T07:00:00Z'), ends_at: new Date('2027-04-01T14:00:00Z') })
      .where('id', '=', WORKSHOP)
      .execute();
    await mark(db.db, clock, [{ kind: 'activity', ref: WORKSHOP, day: '2027-04-01', person: ids['lodz1@example.org']!, present: true }]);
    try {
      const export_ = (from: string, to: string) => exporters.attendance!(db.db, { from, to, now: clock.now() }).then(parse);
      const march = (await export_('2027-03-01', '2027-03-31')).filter((r) => r['wydarzenie'] === WORKSHOP);
      const april = (await export_('2027-04-01', '2027-04-30')).filter((r) => r['wydarzenie'] === WORKSHOP);
      // April's report must hold 1 April's presence; March's must not (else it is counted in the wrong period, and twice if the periods are added up).
      expect(april.filter((r) => r['dzień'] === '2027-04-01').length).toBeGreaterThan(0);
      expect(march.filter((r) => r['dzień'] === '2027-04-01')).toEqual([]);
    } finally {
      await db.db
        .updateTable('activities')
        .set({ starts_local: before.starts_local, ends_local: before.ends_local, starts_at: before.starts_at, ends_at: before.ends_at })
        .where('id', '=', WORKSHOP)
        .execute();
    }
  });
  it('should give a residential workshop (Friday 15:00 to Sunday 13:00) working-day hours: 15:00–17:00, 09:00–17:00, 09:00–13:00', async () => {
    const before = await db.db.selectFrom('activities').selectAll().where('id', '=', WORKSHOP).executeTakeFirstOrThrow();
    await db.db
      .updateTable('activities')
      .set({ starts_local: '2027-03-12T15:00', ends_local: '2027-03-14T13:00', starts_at: new Date('2027-03-12T14:00:00Z'), ends_at: new Date('2027-03-14T12:00:00Z') })
      .where('id', '=', WORKSHOP)
      .execute();
    try {
      const rows = (await exporters.attendance!(db.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() }).then(parse)).filter((r) => r['wydarzenie'] === WORKSHOP);
      const saturday = rows.find((r) => r['dzień'] === '2027-03-13');
      expect(saturday).toBeDefined();
      expect(saturday!['godziny']).not.toBe('00:00–00:00');
      expect(Number((saturday!['liczba godzin'] ?? '').replace(',', '.'))).toBeLessThan(24);
      const days = [...new Map(rows.map((r) => [r['dzień'], [r['dzień'], r['godziny'], r['liczba godzin']]])).values()];
      expect(days).toEqual([
        ['2027-03-12', '15:00–17:00', '2'],
        ['2027-03-13', '09:00–17:00', '8'],
        ['2027-03-14', '09:00–13:00', '4'],
      ]);
    } finally {
      await db.db
        .updateTable('activities')
        .set({ starts_local: before.starts_local, ends_local: before.ends_local, starts_at: before.starts_at, ends_at: before.ends_at })
        .where('id', '=', WORKSHOP)
        .execute();
    }
  });
  it('should give an evening event from 18:00 to midnight one day, with no empty second day', async () => {
    const before = await db.db.selectFrom('activities').selectAll().where('id', '=', WORKSHOP).executeTakeFirstOrThrow();
    await db.db
      .updateTable('activities')
      .set({ starts_local: '2027-03-10T18:00', ends_local: '2027-03-11T00:00', starts_at: new Date('2027-03-10T17:00:00Z'), ends_at: new Date('2027-03-10T23:00:00Z') })
      .where('id', '=', WORKSHOP)
      .execute();
    try {
      const rows = (await exporters.attendance!(db.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() }).then(parse)).filter((r) => r['wydarzenie'] === WORKSHOP);
      expect(rows.length).toBeGreaterThan(0);
      expect([...new Set(rows.map((r) => r['dzień']))]).toEqual(['2027-03-10']);
    } finally {
      await db.db
        .updateTable('activities')
        .set({ starts_local: before.starts_local, ends_local: before.ends_local, starts_at: before.starts_at, ends_at: before.ends_at })
        .where('id', '=', WORKSHOP)
        .execute();
    }
  });
  it('should export a meeting moved across a month boundary (9 February to 2 March) in March only, where it took place', async () => {
    await db.db.insertInto('meeting_exceptions').values({ team_id: TEAM, occurrence_date: MEETING_DAY, cancelled: false, moved_to_local: '2027-03-02T10:00' }).execute();
    try {
      const key = `${TEAM}/${MEETING_DAY}`;
      const february = (await exporters.attendance!(db.db, { from: '2027-02-01', to: '2027-02-28', now: clock.now() }).then(parse)).filter((r) => r['wydarzenie'] === key);
      const march = (await exporters.attendance!(db.db, { from: '2027-03-01', to: '2027-03-31', now: clock.now() }).then(parse)).filter((r) => r['wydarzenie'] === key);
      expect(march.length).toBeGreaterThan(0);
      expect(february.map((r) => r['początek'])).toEqual([]);
    } finally {
      await db.db.deleteFrom('meeting_exceptions').where('team_id', '=', TEAM).where('occurrence_date', '=', MEETING_DAY).execute();
    }
  });
});
