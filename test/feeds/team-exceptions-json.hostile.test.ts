import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Hostile review of c180772 (feed-data.ts teamsWithExceptionsQuery): loadTeams now reads each
 * team's exceptions as a JSON array. The existing fidelity test compares it with the reminders'
 * load, which is now the same statement; this one compares it with the table itself, read as the
 * old second statement read it (occurrence_date as 'YYYY-MM-DD' text, moved_to_local text, in
 * date order): a team with none, exceptions over year ends and leap days, text JSON must escape,
 * more teams than MAX_PARAMETERS (unnamed) and one (named from the second call).
 */
function schedule(teams: number): string {
  const team = (i: number) => `  - id: t${String(i).padStart(3, '0')}
    name: T${i}
    area: gmina
    meetings: { rrule: FREQ=WEEKLY;BYDAY=TU, starts: 2027-01-05T18:00, duration: PT2H, location: Sala, reminders: [P1D] }
    members:
      - { name: M${i}, email: m${i}@example.org, role: coordinator }
`;
  return `teams:\n${Array.from({ length: teams }, (_, i) => team(i)).join('')}`;
}

describe.each(dialects)('loadTeams exceptions as JSON against the table on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule(40));
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
  });
  afterEach(async () => db?.close());

  it('gives each team exactly its rows, in date order, with nulls and odd text intact', async () => {
    const row = (team_id: string, occurrence_date: string, cancelled: boolean, moved_to_local: string | null) => ({
      team_id,
      occurrence_date,
      cancelled,
      moved_to_local,
      chat_changed_at: null,
      file_cancelled: null,
      file_moved_to_local: null,
    });
    await db.db
      .insertInto('meeting_exceptions')
      .values([
        row('t001', '2028-02-29', false, '2028-03-01T00:00'),
        row('t001', '2027-12-31', true, null),
        row('t001', '2027-01-12', false, '2027-01-12T18:00 "x"\\\n\u00a0🎉'),
        row('t001', '2027-01-05', true, null),
        row('t002', '2027-03-28', false, '2027-03-28T02:30'),
        ...Array.from({ length: 30 }, (_, i) => row('t039', `2027-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`, i % 3 === 0, i % 3 === 0 ? null : `2027-06-${String(10 + (i % 10)).padStart(2, '0')}T10:00`)),
      ])
      .execute();
    const table = await db.db.selectFrom('meeting_exceptions').select(['team_id', 'occurrence_date', 'cancelled', 'moved_to_local']).orderBy('team_id').orderBy('occurrence_date').execute();
    const expected = new Map<string, { date: string; cancelled: boolean; movedToLocal: string | null }[]>();
    for (const e of table) expected.set(e.team_id, [...(expected.get(e.team_id) ?? []), { date: e.occurrence_date, cancelled: e.cancelled, movedToLocal: e.moved_to_local }]);

    const all = await loadTeams(db.db);
    expect(all).toHaveLength(40);
    for (const t of all) expect(t.meetings.exceptions, t.team.id).toEqual(expected.get(t.team.id) ?? []);
    const some = await loadTeams(db.db, ['t039', 't000', 't001']);
    expect(some.map((t) => t.team.id)).toEqual(['t000', 't001', 't039']);
    for (const t of some) expect(t.meetings.exceptions, t.team.id).toEqual(expected.get(t.team.id) ?? []);
    // One team, three times: unnamed, then named (prepared), then the prepared statement reused.
    for (let i = 0; i < 3; i++) {
      const [one] = await loadTeams(db.db, ['t001']);
      expect(one!.meetings.exceptions).toEqual(expected.get('t001'));
      expect(Object.keys(one!.meetings.exceptions[0]!)).toEqual(['date', 'cancelled', 'movedToLocal']);
    }
    const [none] = await loadTeams(db.db, ['t000']);
    expect(none!.meetings.exceptions).toEqual([]);
  });
});
