import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upcomingMeetings, UpcomingMeetings } from '../../src/bot/upcoming-meetings.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { occurrencesStartingIn, takesPlace } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

const WEEKS_8 = 8 * 7 * 86_400_000;
const startsOf = (list: { occurrence: { start: { toISO(): string | null } } }[]) => list.map((m) => m.occurrence.start.toISO());

describe.each(dialects)('upcoming meetings kept per data version on %s', (kind) => {
  let db: Db;
  let teamIds: string[];
  beforeAll(async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    teamIds = (await db.db.selectFrom('teams').select('id').execute()).map((t) => t.id);
  });
  afterAll(async () => db?.close());

  // Across DST (late March), a year end, the first and last second of a UTC day.
  it.each(['2027-01-04T00:00:00Z', '2027-03-20T23:59:59Z', '2027-10-24T12:30:00Z', '2027-12-31T23:00:00Z'])(
    'should give at %s exactly what expanding every series from that moment gives',
    async (at) => {
      const from = new Date(at);
      const to = new Date(from.getTime() + WEEKS_8);
      const direct = (await loadTeams(db.db, teamIds)).flatMap((team) =>
        occurrencesStartingIn(team.meetings, from, to).filter(takesPlace).map((occurrence) => ({ occurrence, team })),
      );
      const cached = await new UpcomingMeetings(db.db).of(teamIds, from, to);
      expect(startsOf(cached)).toEqual(startsOf(direct));
      expect(startsOf(direct).length).toBeGreaterThan(3);
    },
  );

  it('should answer from what it kept until the data version rises, which any write of a meeting does', async () => {
    const from = new Date('2027-01-04T08:00:00Z');
    const to = new Date(from.getTime() + WEEKS_8);
    const cache = upcomingMeetings(db.db);
    expect(upcomingMeetings(db.db)).toBe(cache);
    const before = await cache.of(['lodz'], from, to);
    const first = before[0]!.occurrence.date;
    expect(startsOf(await cache.of(['lodz'], from, to))).toEqual(startsOf(before));
    // Even a write that does not call bumpDataVersion raises the version (triggers, migration 0018): the change shows.
    await db.db.insertInto('meeting_exceptions').values({ team_id: 'lodz', occurrence_date: first, cancelled: true, moved_to_local: null }).execute();
    const after = await cache.of(['lodz'], from, to);
    expect(after.map((m) => m.occurrence.date)).not.toContain(first);
    expect(after).toHaveLength(before.length - 1);
  });
});

describe.each(dialects)('upcoming meetings across writes that do not touch the team on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
  });
  afterAll(async () => db?.close());

  it('should keep a team expanded while other data changes, and expand it again when its rows change', async () => {
    const from = new Date('2027-01-04T08:00:00Z');
    const to = new Date(from.getTime() + WEEKS_8);
    const cache = new UpcomingMeetings(db.db);
    const before = await cache.of(['lodz'], from, to);
    // Another team's meeting place: the version rises, lodz's rows stay as they were.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 7' }).where('team_id', '!=', 'lodz').execute();
    const unchanged = await cache.of(['lodz'], from, to);
    expect(unchanged[0]!.occurrence).toBe(before[0]!.occurrence);
    // Its own meeting place: expanded again, and the new place shows.
    await db.db.updateTable('meeting_series').set({ location: 'Sala 8' }).where('team_id', '=', 'lodz').execute();
    const changed = await cache.of(['lodz'], from, to);
    expect(changed[0]!.occurrence).not.toBe(before[0]!.occurrence);
    expect(changed[0]!.team.series.location).toBe('Sala 8');
    expect(startsOf(changed)).toEqual(startsOf(before));
  });
});
