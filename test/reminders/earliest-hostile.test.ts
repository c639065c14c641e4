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
