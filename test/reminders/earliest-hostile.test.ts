import { describe, expect, it } from 'vitest';
import { DateTime, Duration } from 'luxon';
import { inHowLongUntil } from '../../src/reminders/reminder-message.js';
import { earliestSend, outsideQuietHours, type QuietHours } from '../../src/reminders/quiet-hours.js';

// Hostile review of earliest_at (docs/delivery-engine.md, "Sending ahead of a lump"): a reminder
// sent at earliest_at must read as it would at its due time whenever the text counts hours or
// days ("za 5 godzin", "jutro"); only a text in minutes may change.

const zone = 'Europe/Warsaw';
const warsaw = (iso: string) => DateTime.fromISO(iso, { zone });
const NONE: QuietHours = { from: 9, to: 9 };

describe('earliestSend keeps the text of an hour or day reminder', () => {
  const offsets = ['PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H', 'PT8H', 'PT10H', 'PT12H', 'PT20H', 'P1D', 'P2D', 'P7D'];
  for (const offset of offsets) {
    it(`${offset} before a meeting at 21:00`, () => {
      const start = warsaw('2027-03-09T21:00');
      const due = outsideQuietHours(start.minus(Duration.fromISO(offset)).toJSDate(), start.toJSDate(), zone, NONE);
      const earliest = earliestSend(due, start.toJSDate(), zone, NONE);
      expect(inHowLongUntil(start, earliest, 'pl')).toBe(inHowLongUntil(start, due, 'pl'));
    });
  }
});

describe('earliestSend invariants, swept over zones, both clock changes, quiet spans and offsets', () => {
  // Each zone around its own two clock changes (Kolkata has none; Lord Howe's are half an hour).
  const zones: Record<string, string[]> = {
    'Europe/Warsaw': ['2026-03-28T12:00Z', '2026-10-24T12:00Z'],
    'Europe/London': ['2026-03-28T12:00Z', '2026-10-24T12:00Z'],
    'America/New_York': ['2026-03-07T12:00Z', '2026-10-31T12:00Z'],
    'Asia/Kolkata': ['2026-03-28T12:00Z'],
    'Australia/Lord_Howe': ['2026-04-04T12:00Z', '2026-10-03T12:00Z'],
  };
  const spans: QuietHours[] = [{ from: 20, to: 7 }, { from: 22, to: 2 }, { from: 22, to: 3 }, { from: 1, to: 3 }, { from: 8, to: 18 }, { from: 23, to: 0 }, NONE];
  const offsets = ['PT15M', 'PT55M', 'PT1H', 'PT2H', 'PT5H', 'PT12H', 'P1D', 'P2D'];
  const inQuiet = (t: number, z: string, q: QuietHours) => outsideQuietHours(new Date(t), new Date(t + 86_400_000), z, q).getTime() !== t;
  for (const [z, nights] of Object.entries(zones)) {
    it(z, () => {
      // Every 20 minutes of a day and a half from noon before the change.
      for (const from of nights) {
        for (let step = 0; step < 3 * 36; step++) {
          const start = DateTime.fromISO(from).plus({ minutes: 20 * step }).setZone(z);
          for (const offset of offsets) {
            for (const quiet of spans) {
              const meant = start.minus(Duration.fromISO(offset)).toJSDate();
              const due = outsideQuietHours(meant, start.toJSDate(), z, quiet);
              const earliest = earliestSend(due, start.toJSDate(), z, quiet);
              const what = `${z} ${start.toISO()} ${offset} ${quiet.from}-${quiet.to} due ${due.toISOString()} earliest ${earliest.toISOString()}`;
              expect(earliest.getTime(), what).toBeLessThanOrEqual(due.getTime());
              expect(earliest.getTime(), what).toBeGreaterThanOrEqual(due.getTime() - (start.toMillis() - due.getTime()) / 10);
              const text = inHowLongUntil(start, due, 'pl');
              if (!/minut/.test(text)) expect(inHowLongUntil(start, earliest, 'pl'), what).toBe(text);
              if (inQuiet(due.getTime(), z, quiet)) {
                expect(earliest.getTime(), what).toBe(due.getTime());
                continue;
              }
              for (let t = earliest.getTime(); t <= due.getTime(); t += 5 * 60_000) expect(inQuiet(t, z, quiet), `${what} at ${new Date(t).toISOString()}`).toBe(false);
            }
          }
        }
      }
    });
  }
});
