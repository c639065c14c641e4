import type { DateTime } from 'luxon';
import { expandSeries, MAX_SHIFT_DAYS, occurrenceOn, type MeetingSeries, type Occurrence } from '../domain/occurrences.js';

const DAY = 86_400_000;

/**
 * The occurrences reminders and check-ins are planned for between two instants: those the rule
 * puts there, and also those moved there from outside (from beyond the horizon, or from a date
 * already past). expandSeries windows by the rule's date, so a meeting moved from 8 June to
 * 16 March would otherwise be found by no planning run until June.
 */
export function occurrencesIn(series: MeetingSeries, from: Date, to: Date): Occurrence[] {
  const found = expandSeries(series, from, to);
  const dates = new Set(found.map((o) => o.date));
  // A holiday shifts a meeting up to MAX_SHIFT_DAYS later: one whose rule date has passed may
  // still take place inside the window (Easter Monday's meeting on Tuesday).
  for (const o of expandSeries(series, new Date(from.getTime() - (MAX_SHIFT_DAYS + 2) * DAY), from)) {
    if (dates.has(o.date) || o.start.toMillis() < from.getTime() || o.start.toMillis() >= to.getTime()) continue;
    found.push(o);
    dates.add(o.date);
  }
  for (const e of series.exceptions) {
    if (!e.movedToLocal || dates.has(e.date)) continue;
    const moved = occurrenceOn(series, e.date);
    if (moved && moved.start.toMillis() >= from.getTime() && moved.start.toMillis() < to.getTime()) found.push(moved);
  }
  return found;
}

/**
 * What tells one timing of an occurrence from another in a delivery key. A moved meeting is a new
 * time to be reminded of: a reminder sent for its old time must not stand in for the new one.
 */
export function occurrenceKey(o: { date: string; status: string; start: DateTime }): string {
  return o.status === 'moved' ? `${o.date}@${o.start.toUTC().toISO()}` : o.date;
}
