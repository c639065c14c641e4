import { sql } from 'kysely';
import { DateTime } from 'luxon';

export interface QuietHours {
  /** Local hour quiet time starts (20 = 20:00) and ends (7 = 07:00). */
  from: number;
  to: number;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { from: 20, to: 7 };

/**
 * A reminder due in the person's quiet hours waits until they end, unless by then the
 * meeting has begun: then it keeps its time, because a late reminder is worth nothing.
 * Quiet hours usually span the night (20–7); a daytime span (8–18, say for someone who works
 * nights) ends the same day; equal hours mean none.
 */
export function outsideQuietHours(due: Date, meetingStart: Date, zone: string, quiet: QuietHours = DEFAULT_QUIET_HOURS): Date {
  const local = DateTime.fromJSDate(due, { zone });
  const endOn = (day: DateTime) => day.set({ hour: quiet.to, minute: 0, second: 0, millisecond: 0 });
  let end: DateTime | undefined;
  if (quiet.from > quiet.to) {
    if (local.hour >= quiet.from) end = endOn(local.plus({ days: 1 }));
    else if (local.hour < quiet.to) end = endOn(local);
  } else if (local.hour >= quiet.from && local.hour < quiet.to) end = endOn(local);
  if (!end || end.toMillis() >= meetingStart.getTime()) return due;
  return end.toJSDate();
}

/**
 * `outsideQuietHours` for many rows at once, as planning and re-timing use it: a time already
 * past (held by earlier quiet hours) counts from `now`. Thousands of people share a time, a
 * limit, a zone and quiet hours, so each combination is computed once.
 */
export function quietHoursRule(now: Date): (meant: Date, limit: Date, zone: string, quiet: QuietHours) => Date {
  const memo = new Map<string, Date>();
  return (meant, limit, zone, quiet) => {
    const from = meant > now ? meant : now;
    const key = `${from.getTime()}|${limit.getTime()}|${zone}|${quiet.from}|${quiet.to}`;
    let due = memo.get(key);
    if (!due) memo.set(key, (due = outsideQuietHours(from, limit, zone, quiet)));
    return due;
  };
}

/** `quiet_from`, `quiet_to`: the person's quiet hours, or the default, in a query that left-joins their preferences as `q`. */
export const quietHoursColumns = sql`coalesce(q.quiet_from, ${DEFAULT_QUIET_HOURS.from}) as quiet_from, coalesce(q.quiet_to, ${DEFAULT_QUIET_HOURS.to}) as quiet_to`;

/** The quiet hours of a row with those columns (the driver may give numbers as text). */
export const quietOf = (r: { quiet_from: number; quiet_to: number }): QuietHours => ({ from: Number(r.quiet_from), to: Number(r.quiet_to) });
