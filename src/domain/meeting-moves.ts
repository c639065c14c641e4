import type { DateTime } from 'luxon';
import { parseDuration, zoned } from './local-time.js';
import { occurrenceOn, occurrencesStartingIn, takesPlace, type MeetingSeries, type Occurrence } from './occurrences.js';

/**
 * The occurrence a person means by a date (YYYY-MM-DD, the team's local day): the occurrence
 * whose rule date it is, whatever became of it (so a repeated `odwołaj`/`przenieś` names the
 * same meeting again and is refused, instead of falling onto another meeting moved to that
 * day); only when the rule puts none there, the meeting that takes place that day (after a
 * move or a holiday shift it is not the rule's day).
 */
export function occurrenceForDay(series: MeetingSeries, date: string): Occurrence | undefined {
  const own = occurrenceOn(series, date);
  if (own) return own;
  const day = zoned(`${date}T00:00`, series.timezone);
  return occurrencesStartingIn(series, day.toJSDate(), day.plus({ days: 1 }).toJSDate()).find(takesPlace);
}

export type MoveRefusal = { reason: 'past' } | { reason: 'same_time' } | { reason: 'clash'; other: Occurrence };

/**
 * Why `occurrence` may not be moved to `to`, or undefined when it may: not into the past, not
 * to the time it already has, and not onto (or overlapping) another meeting of the series.
 */
export function moveRefusal(series: MeetingSeries, occurrence: Occurrence, to: DateTime, now: Date): MoveRefusal | undefined {
  if (to.toMillis() <= now.getTime()) return { reason: 'past' };
  if (takesPlace(occurrence) && to.toMillis() === occurrence.start.toMillis()) return { reason: 'same_time' };
  const other = clashWith(series, occurrence.date, to);
  return other ? { reason: 'clash', other } : undefined;
}

/** Another meeting of the series that takes place overlapping [start, start + duration), if any. */
export function clashWith(series: MeetingSeries, date: string, start: DateTime): Occurrence | undefined {
  const end = start.plus(parseDuration(series.duration)!);
  const near = occurrencesStartingIn(series, start.minus({ days: 2 }).toJSDate(), end.plus({ days: 2 }).toJSDate());
  return near.find((o) => o.date !== date && takesPlace(o) && o.start < end && start < o.end);
}
