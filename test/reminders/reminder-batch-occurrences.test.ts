import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { RenderBatch } from '../../src/delivery/batch-context.js';
import type { Language } from '../../src/i18n/messages.js';
import { renderReminder } from '../../src/reminders/reminder-message.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Within a claimed batch renderReminder works out each meeting's occurrence once per series and
 * date (every member's and language's reminder of one meeting asks for the same). What it says
 * must be what each row rendered alone says: every team, member, date of one series, language
 * and sending instant; and after a change within the batch, the meeting as it now is.
 */
const URL = 'https://koop.example.org';

const team = (id: string, rrule: string, starts: string, onHoliday = 'shift', members = 4) => `
  - id: ${id}
    name: PZK ${id}
    area: gmina
    meetings:
      rrule: ${rrule}
      starts: ${starts}
      duration: PT2H
      location: Sala ${id}
      reminders: [P1D, PT2H]
      on_holiday: ${onHoliday}
    members:
      - { name: Koordynatorka ${id}, email: k${id}@example.org, role: coordinator }
${Array.from({ length: members - 1 }, (_, m) => `      - { name: Osoba ${id} ${m}, email: o${m}${id}@example.org${m % 2 ? ', language: en' : ''} }`).join('\n')}`;

// t0, t1: Tuesdays; t2: Mondays over Easter Monday (shifted); t3: Sundays at 02:30 over the
// spring clock change (the skipped hour); t4: Mondays, skipped on the holiday.
const schedule = `teams:${[
  team('t0', 'FREQ=WEEKLY;BYDAY=TU', '2027-03-02T10:00'),
  team('t1', 'FREQ=WEEKLY;BYDAY=TU', '2027-03-02T18:30'),
  team('t2', 'FREQ=WEEKLY;BYDAY=MO', '2027-03-01T09:00'),
  team('t3', 'FREQ=WEEKLY;BYDAY=SU', '2027-03-07T02:30'),
  team('t4', 'FREQ=WEEKLY;BYDAY=MO', '2027-03-01T17:00', 'skip'),
].join('')}\n`;

/** Two dates of each series, and one on which the series has no meeting. */
const dates: Record<string, string[]> = {
  t0: ['2027-03-23', '2027-03-30', '2027-03-31'],
  t1: ['2027-03-23', '2027-03-30'],
  t2: ['2027-03-22', '2027-03-29'],
  t3: ['2027-03-21', '2027-03-28'],
  t4: ['2027-03-22', '2027-03-29'],
};

describe.each(dialects)('rendering meeting reminders in a batch on %s', (kind) => {
  let db: Db;
  let rows: DeliveryRow[];
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    // t1's second meeting moved, t0's first cancelled, as in chat.
    await db.db
      .insertInto('meeting_exceptions')
      .values([
        { team_id: 't1', occurrence_date: '2027-03-30', cancelled: false, moved_to_local: '2027-04-01T08:15', chat_changed_at: clock.now(), file_cancelled: null, file_moved_to_local: null },
        { team_id: 't0', occurrence_date: '2027-03-23', cancelled: true, moved_to_local: null, chat_changed_at: clock.now(), file_cancelled: null, file_moved_to_local: null },
      ])
      .execute();
    const people = await db.db.selectFrom('memberships').select(['team_id', 'person_id']).where('removed_at', 'is', null).orderBy('person_id').execute();
    // Sent at different instants (a batch claimed at one, rows held or sent late at others).
    const sent = ['2027-03-20T23:30:00Z', '2027-03-21T00:59:00Z', '2027-03-21T01:00:30Z', '2027-03-27T22:45:00Z', '2027-03-29T07:59:59Z'].map((s) => new Date(s));
    rows = [];
    let id = 1;
    for (const date of ['2027-03-21', '2027-03-22', '2027-03-23', '2027-03-28', '2027-03-29', '2027-03-30', '2027-03-31']) {
      for (const m of people) {
        if (!dates[m.team_id]!.includes(date)) continue;
        for (const offset of ['P1D', 'PT2H']) {
          const at = sent[id % sent.length]!;
          rows.push({ id: id++, person_id: m.person_id, payload: { type: 'reminder', teamId: m.team_id, date, offset }, due_at: at, claimed_at: id % 7 === 0 ? null : at } as unknown as DeliveryRow);
        }
      }
    }
  });
  afterEach(async () => db?.close());

  const languageOf = (row: DeliveryRow): Language => (row.id % 3 === 0 ? 'en' : 'pl');

  it('should say for several members, teams and dates of one series what each row says alone', async () => {
    const batch = new RenderBatch(rows);
    const batched = await Promise.all(rows.map((row) => renderReminder(db.db, row, languageOf(row), URL, batch)));
    // And in the other language, later in the same batch (the occurrences already worked out).
    const other = await Promise.all(rows.map((row) => renderReminder(db.db, row, languageOf(row) === 'pl' ? 'en' : 'pl', URL, batch)));
    for (const [index, row] of rows.entries()) {
      expect(batched[index], `row ${row.id}`).toEqual(await renderReminder(db.db, row, languageOf(row), URL));
      expect(other[index], `row ${row.id}`).toEqual(await renderReminder(db.db, row, languageOf(row) === 'pl' ? 'en' : 'pl', URL));
    }
    // The cases are there: sent, cancelled, moved, shifted, skipped, no meeting that day.
    const said = (teamId: string, date: string) => batched.filter((m, i) => (rows[i]!.payload as { teamId: string; date: string }).teamId === teamId && (rows[i]!.payload as { date: string }).date === date);
    expect(said('t0', '2027-03-30').every(Boolean)).toBe(true);
    expect(said('t0', '2027-03-23').some(Boolean)).toBe(false);
    expect(said('t0', '2027-03-31').some(Boolean)).toBe(false);
    expect(said('t4', '2027-03-29').some(Boolean)).toBe(false);
    expect(said('t2', '2027-03-29').every(Boolean)).toBe(true);
    expect(said('t1', '2027-03-30').every(Boolean)).toBe(true);
    const moved = said('t1', '2027-03-30').find((m) => m!.language === 'pl')!;
    expect(moved.fields).toContainEqual({ label: 'Kiedy', value: 'czwartek, 1 kwietnia 2027, 08:15' });
    expect(new Set(batched.map((m) => m?.title)).size).toBeGreaterThan(10);
  });

  it('should say what each row says alone after a meeting of the batch was moved in the middle of it (worked out again, not as before)', async () => {
    const batch = new RenderBatch(rows);
    // Every meeting of the batch worked out before the change (a row of each sent), the rest after it.
    const first = new Map(rows.map((row) => [JSON.stringify(row.payload), row]));
    const before = await Promise.all([...first.values()].map((row) => renderReminder(db.db, row, languageOf(row), URL, batch)));
    expect(before.filter(Boolean).length).toBeGreaterThan(10);
    await db.db.updateTable('meeting_exceptions').set({ moved_to_local: '2027-04-02T12:00' }).where('team_id', '=', 't1').where('occurrence_date', '=', '2027-03-30').execute();
    await db.db
      .insertInto('meeting_exceptions')
      .values({ team_id: 't0', occurrence_date: '2027-03-30', cancelled: false, moved_to_local: '2027-03-30T16:00', chat_changed_at: clock.now(), file_cancelled: null, file_moved_to_local: null })
      .execute();
    const later = rows.filter((row) => !first.has(JSON.stringify(row.payload)) || first.get(JSON.stringify(row.payload)) !== row);
    const batched = await Promise.all(later.map((row) => renderReminder(db.db, row, languageOf(row), URL, batch)));
    for (const [index, row] of later.entries()) expect(batched[index], `row ${row.id}`).toEqual(await renderReminder(db.db, row, languageOf(row), URL));
    const t0 = batched.filter((m, i) => (later[i]!.payload as { teamId: string; date: string }).teamId === 't0' && m?.language === 'pl');
    expect(t0.length).toBeGreaterThan(0);
    for (const m of t0) expect(m!.fields).toContainEqual({ label: 'Kiedy', value: 'wtorek, 30 marca 2027, 16:00' });
  });
});
