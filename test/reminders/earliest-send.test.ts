import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { earliestSend, outsideQuietHours, type QuietHours } from '../../src/reminders/quiet-hours.js';

// The rules of docs/delivery-engine.md ("Sending ahead of a lump"): the latest of a tenth of the
// time left to the meeting, the start of the due time's local day, and the last end of the
// person's quiet hours; never after the due time. Europe/Warsaw changes its clocks on
// 2026-03-29 (02:00 CET → 03:00 CEST: 02:xx never happens) and 2026-10-25 (03:00 CEST → 02:00
// CET: 02:xx happens twice), so the instants around those nights are written in UTC.

const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone }).toJSDate();
const utc = (iso: string) => new Date(`${iso}Z`);
const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
const DEFAULT: QuietHours = { from: 20, to: 7 };

interface Row {
  what: string;
  due: Date;
  limit: Date;
  quiet?: QuietHours;
  dayZone?: string;
  expected: Date;
}

const rows: Row[] = [
  { what: 'the 2-hour reminder: a tenth of the 2 h left', due: warsaw('2026-03-10T16:00'), limit: warsaw('2026-03-10T18:00'), expected: warsaw('2026-03-10T15:48') },
  { what: 'the day-before reminder: 2.4 h, after the night', due: warsaw('2026-03-10T10:00'), limit: warsaw('2026-03-11T10:00'), expected: warsaw('2026-03-10T07:36') },
  { what: 'the day-before reminder at 08:00: not before the quiet hours end at 07:00', due: warsaw('2026-03-10T08:00'), limit: warsaw('2026-03-11T08:00'), expected: warsaw('2026-03-10T07:00') },
  { what: 'an offset of 15 minutes: a minute and a half', due: warsaw('2026-03-10T17:45'), limit: warsaw('2026-03-10T18:00'), expected: warsaw('2026-03-10T17:43:30') },
  { what: 'held to the end of quiet hours (07:00): due is the earliest', due: warsaw('2026-03-10T07:00'), limit: warsaw('2026-03-10T07:30'), expected: warsaw('2026-03-10T07:00') },
  { what: 'held would pass the start, so due inside quiet hours: not early', due: warsaw('2026-03-10T05:45'), limit: warsaw('2026-03-10T06:45'), expected: warsaw('2026-03-10T05:45') },
  { what: 'due just after midnight, no quiet hours: not before midnight', due: warsaw('2026-03-10T00:10'), limit: warsaw('2026-03-11T00:10'), quiet: { from: 9, to: 9 }, expected: warsaw('2026-03-10T00:00') },
  { what: 'due just after midnight, default quiet hours: inside them, not early', due: warsaw('2026-03-10T00:10'), limit: warsaw('2026-03-10T02:10'), expected: warsaw('2026-03-10T00:10') },
  { what: 'equal hours mean none: only the tenth', due: warsaw('2026-03-10T03:00'), limit: warsaw('2026-03-10T05:00'), quiet: { from: 9, to: 9 }, expected: warsaw('2026-03-10T02:48') },
  { what: 'daytime quiet hours 8–18, due after them: not before 18:00', due: warsaw('2026-03-10T19:00'), limit: warsaw('2026-03-11T19:00'), quiet: { from: 8, to: 18 }, expected: warsaw('2026-03-10T18:00') },
  { what: 'daytime quiet hours 8–18, due before them: the tenth', due: warsaw('2026-03-10T07:00'), limit: warsaw('2026-03-10T09:00'), quiet: { from: 8, to: 18 }, expected: warsaw('2026-03-10T06:48') },
  { what: 'daytime quiet hours 8–18, due inside them: not early', due: warsaw('2026-03-10T10:00'), limit: warsaw('2026-03-10T12:00'), quiet: { from: 8, to: 18 }, expected: warsaw('2026-03-10T10:00') },
  // Spring: a day of 23 hours.
  { what: 'spring: the day-before reminder across the change (23 h left: 2.3 h)', due: warsaw('2026-03-28T10:00'), limit: warsaw('2026-03-29T10:00'), expected: warsaw('2026-03-28T07:42') },
  { what: 'spring: midnight of the day of the change (CET)', due: utc('2026-03-29T01:30'), limit: utc('2026-03-31T01:30'), quiet: { from: 9, to: 9 }, expected: utc('2026-03-28T23:00') },
  { what: 'spring: quiet hours 22–02 end at 03:00 CEST, 02:00 never comes', due: utc('2026-03-29T01:05'), limit: utc('2026-03-29T03:05'), quiet: { from: 22, to: 2 }, expected: utc('2026-03-29T01:00') },
  { what: 'spring: quiet hours 22–03 end at 03:00 CEST too', due: utc('2026-03-29T01:05'), limit: utc('2026-03-29T03:05'), quiet: { from: 22, to: 3 }, expected: utc('2026-03-29T01:00') },
  { what: 'spring: default quiet hours end at 07:00 CEST', due: warsaw('2026-03-29T08:00'), limit: warsaw('2026-03-30T08:00'), expected: warsaw('2026-03-29T07:00') },
  // Autumn: a day of 25 hours.
  { what: 'autumn: the day-before reminder across the change (25 h left: 2.5 h)', due: warsaw('2026-10-24T10:00'), limit: warsaw('2026-10-25T10:00'), expected: warsaw('2026-10-24T07:30') },
  { what: 'autumn: midnight of the day of the change (CEST)', due: utc('2026-10-25T02:30'), limit: utc('2026-10-27T02:30'), quiet: { from: 9, to: 9 }, expected: utc('2026-10-24T22:00') },
  { what: 'autumn: quiet hours 22–02 end at the first 02:00 (CEST), due in it', due: utc('2026-10-25T00:05'), limit: utc('2026-10-25T02:05'), quiet: { from: 22, to: 2 }, expected: utc('2026-10-25T00:00') },
  { what: 'autumn: quiet hours 22–02 end at the first 02:00, due in the repeated 02:xx (CET)', due: utc('2026-10-25T01:10'), limit: utc('2026-10-26T01:10'), quiet: { from: 22, to: 2 }, expected: utc('2026-10-25T00:00') },
  { what: 'autumn: quiet hours 22–03 end at 03:00 CET, after both 02:xx', due: utc('2026-10-25T02:10'), limit: utc('2026-10-26T02:10'), quiet: { from: 22, to: 3 }, expected: utc('2026-10-25T02:00') },
  { what: 'autumn: default quiet hours end at 07:00 CET', due: warsaw('2026-10-25T08:00'), limit: warsaw('2026-10-26T08:00'), expected: warsaw('2026-10-25T07:00') },
  // Activity reminders: days counted in the activity's zone, quiet hours in the person's.
  { what: "days in the activity's zone (New York), quiet hours in Warsaw", due: warsaw('2026-03-10T07:30'), limit: warsaw('2026-03-12T07:30'), quiet: { from: 9, to: 9 }, dayZone: 'America/New_York', expected: utc('2026-03-10T04:00') },
];

describe('earliestSend', () => {
  for (const row of rows) {
    it(row.what, () => {
      const earliest = earliestSend(row.due, row.limit, zone, row.quiet ?? DEFAULT, row.dayZone);
      expect(earliest.toISOString()).toBe(row.expected.toISOString());
    });
  }

  it('keeps the whole window [earliest, due] outside the quiet hours, every quarter hour of both changes', () => {
    const spans: QuietHours[] = [DEFAULT, { from: 22, to: 2 }, { from: 22, to: 3 }, { from: 1, to: 3 }, { from: 2, to: 3 }, { from: 8, to: 18 }, { from: 0, to: 7 }];
    for (const night of ['2026-03-28T18:00', '2026-10-24T18:00']) {
      for (let step = 0; step < 4 * 16; step++) {
        const meant = plus(warsaw(night), 15 * step);
        for (const quiet of spans) {
          for (const lead of [15, 120, 24 * 60]) {
            const limit = plus(meant, lead);
            const due = outsideQuietHours(meant, limit, zone, quiet);
            const earliest = earliestSend(due, limit, zone, quiet);
            expect(earliest.getTime()).toBeLessThanOrEqual(due.getTime());
            if (earliest.getTime() === due.getTime()) continue;
            // Nothing in the window may be in quiet hours: checked every minute of it.
            for (let t = earliest.getTime(); t <= due.getTime(); t += 60_000) {
              expect(outsideQuietHours(new Date(t), plus(new Date(t), 24 * 60), zone, quiet).getTime(), `${quiet.from}-${quiet.to} ${due.toISOString()}`).toBe(t);
            }
            // And the window starts where quiet hours (or the tenth, or the day) end: one minute before is one of those.
            const before = earliest.getTime() - 60_000;
            const tenth = due.getTime() - (limit.getTime() - due.getTime()) / 10;
            const dayStart = DateTime.fromJSDate(due, { zone }).startOf('day').toMillis();
            const quietBefore = outsideQuietHours(new Date(before), plus(new Date(before), 24 * 60), zone, quiet).getTime() !== before;
            // On the meeting's day, also where the text's rounded hours would change ("za 5 godzin" from 5 h 29 min).
            const minutes = Math.round((limit.getTime() - due.getTime()) / 60_000);
            const sameDay = DateTime.fromJSDate(limit, { zone }).startOf('day').toMillis() === dayStart;
            const hours = minutes >= 60 && sameDay ? limit.getTime() - (Math.round(minutes / 60) * 60 + 29) * 60_000 : -Infinity;
            expect(quietBefore || earliest.getTime() === Math.max(tenth, dayStart, hours) || earliest.getTime() === due.getTime()).toBe(true);
          }
        }
      }
    }
  });
});
