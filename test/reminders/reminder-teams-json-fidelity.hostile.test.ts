import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { loadReminderTeams } from '../../src/reminders/reminder-message.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Hostile review of the reminders' one-statement team load (reminder-message.ts): what travels as
 * JSON (exceptions, coordinators) must come back as the three statements gave it. Names JSON must
 * escape, exceptions across the clock change and the new year, a team of no coordinator, one whose
 * coordinator became a member, one whose coordinator left, a removed team, a team id twice.
 */
const NAMES = ['Anna "Ania" O\'Neil', 'Back\\slash Żółć', 'Emoji 🎉 i tab\there', 'Zenon </script>'];

function schedule(): string {
  const member = (name: string, i: number, role: string) => `      - { name: ${JSON.stringify(name)}, email: p${i}@example.org, role: ${role} }\n`;
  return `teams:
  - id: a
    name: PZK "A"
    area: gmina
    meetings: { rrule: FREQ=WEEKLY;BYDAY=SU, starts: 2027-03-21T01:30, duration: PT2H, location: Sala, reminders: [P1D] }
    members:
${NAMES.map((n, i) => member(n, i, 'coordinator')).join('')}  - id: b
    name: PZK B
    area: gmina
    meetings: { rrule: FREQ=WEEKLY;BYDAY=TU, starts: 2026-12-29T18:00, duration: PT2H, location: Sala, reminders: [P1D] }
    members:
${member('Tylko Członek', 10, 'member')}  - id: c
    name: PZK C
    area: gmina
    meetings: { rrule: FREQ=WEEKLY;BYDAY=TU, starts: 2027-01-12T10:00, duration: PT2H, location: Sala, reminders: [P1D] }
    members:
${member('Była Koordynatorka', 20, 'coordinator')}${member('Odchodzi', 21, 'coordinator')}${member('Zostaje', 22, 'coordinator')}`;
}

describe.each(dialects)('the reminders team load as JSON on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2026-12-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule());
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
  });
  afterEach(async () => db?.close());

  const row = (teamId: string) => ({ payload: { type: 'reminder', teamId, date: '2027-03-28', offset: 'P1D' } }) as unknown as DeliveryRow;

  it('gives back what loadTeams and the coordinators statement gave', async () => {
    const exception = (team_id: string, occurrence_date: string, cancelled: boolean, moved_to_local: string | null) => ({
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
        exception('a', '2027-03-28', false, '2027-03-28T02:30'), // into the gap of the clock change
        exception('a', '2027-03-21', true, null),
        exception('b', '2027-01-05', false, '2026-12-31T23:30'),
        exception('b', '2026-12-29', true, null),
      ])
      .execute();
    const ids = (await db.db.selectFrom('people').select(['id', 'email']).execute()).reduce<Record<string, number>>((m, p) => ({ ...m, [p.email!]: p.id }), {});
    await db.db.updateTable('memberships').set({ role: 'member' }).where('person_id', '=', ids['p20@example.org']!).execute();
    await db.db.updateTable('memberships').set({ removed_at: clock.now() }).where('person_id', '=', ids['p21@example.org']!).execute();

    const loaded = await loadReminderTeams(db.db, [row('c'), row('a'), row('b'), row('a'), row('gone')]);
    const teams = await loadTeams(db.db, ['c', 'a', 'b', 'gone']);
    expect([...loaded.teams.values()]).toEqual(teams);
    expect(loaded.teams.get('a')!.meetings.exceptions).toEqual([
      { date: '2027-03-21', cancelled: true, movedToLocal: null },
      { date: '2027-03-28', cancelled: false, movedToLocal: '2027-03-28T02:30' },
    ]);
    expect(loaded.coordinators.get('a')).toEqual(NAMES.map((name, i) => ({ name, email: `p${i}@example.org` })));
    expect(loaded.coordinators.has('b')).toBe(false);
    expect(loaded.coordinators.get('c')).toEqual([{ name: 'Zostaje', email: 'p22@example.org' }]);

    await db.db.updateTable('teams').set({ removed_at: clock.now() }).where('id', '=', 'a').execute();
    const after = await loadReminderTeams(db.db, [row('a'), row('b')]);
    expect([...after.teams.keys()]).toEqual(['b']);
    expect([...after.teams.values()]).toEqual(await loadTeams(db.db, ['a', 'b']));
  });
});
