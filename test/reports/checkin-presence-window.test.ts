import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { presenceLink } from '../../src/participation/presence-checkin.js';
import { meetingWindow } from '../../src/participation/presence-window.js';
import { renderCheckin, type CheckinRef } from '../../src/reports/checkins.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { parseScheduleText } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * A check-in's presence link is signed until the meeting's window closes. renderCheckin takes the
 * window from the team and occurrence it has already read and worked out (it read them again
 * through meetingWindow before): the link must be the one meetingWindow's window gives, for a
 * meeting as scheduled, moved over the autumn clock change, shifted for a holiday, in summer time.
 */
const SECRET = 'w'.repeat(40);
const URL = 'https://koop.example.org';

const schedule = `teams:
  - id: t0
    name: PZK 0
    area: gmina
    meetings:
      rrule: FREQ=WEEKLY;BYDAY=MO
      starts: 2027-03-01T18:00
      duration: PT2H
      location: Sala 0
      on_holiday: shift
    members:
      - { name: Koordynatorka, email: k@example.org, role: coordinator }
      - { name: Coordinator, email: c@example.org, role: coordinator, language: en }
      - { name: Osoba, email: o@example.org }
`;

describe.each(dialects)('a check-in presence link on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-03-01T00:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    const parsed = parseScheduleText('t.yaml', schedule);
    expect(parsed.problems).toEqual([]);
    await importSchedules(db.db, [{ source: 't.yaml', file: 't.yaml', data: parsed.data! }], { clock, defaultTimezone: 'Europe/Warsaw' });
    await db.db
      .insertInto('meeting_exceptions')
      .values({ team_id: 't0', occurrence_date: '2027-10-25', cancelled: false, moved_to_local: '2027-10-31T01:30', chat_changed_at: clock.now(), file_cancelled: null, file_moved_to_local: null })
      .execute();
  });
  afterEach(async () => db?.close());

  it('should sign it until the window meetingWindow gives closes, in both languages and stages', async () => {
    const coordinators = await db.db.selectFrom('people').select(['id', 'language']).where('email', 'in', ['k@example.org', 'c@example.org']).execute();
    // Scheduled (winter, summer), moved to the night of the autumn change, Easter Monday shifted.
    for (const date of ['2027-03-08', '2027-07-05', '2027-10-25', '2027-03-29']) {
      const window = (await meetingWindow(db.db, 't0', date))!;
      expect(window, date).toBeDefined();
      for (const person of coordinators) {
        for (const stage of ['ask', 'nudge'] as const) {
          const askAt = window.end.plus({ hours: 14 }).toUTC().toISO()!;
          const ref: CheckinRef = { type: 'checkin', teamId: 't0', date, stage, askAt, personId: String(person.id) };
          const at = window.end.plus({ days: stage === 'ask' ? 1 : 3 }).toJSDate();
          const row = { id: 1, person_id: person.id, payload: ref, due_at: at, claimed_at: at } as unknown as DeliveryRow;
          const message = await renderCheckin(db.db, row, ref, person.language, SECRET, URL);
          expect(message?.links?.[1], `${date} ${stage}`).toEqual({ label: message!.links![1]!.label, url: presenceLink(SECRET, URL, person.id, 't0', date, window) });
          expect(message?.links).toHaveLength(2);
        }
      }
    }
  });
});
