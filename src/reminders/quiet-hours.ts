import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { zoneNamed } from '../domain/local-time.js';

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
  if (!isQuietHour(local.hour, quiet)) return due;
  // A night span entered before midnight ends the next day.
  // From the day's start: a day reached from the evening before carries that evening's offset,
  // and on the night the clocks go back an hour that repeats (02:00 in Europe/Warsaw) would be
  // set to its second time, an hour after the quiet hours ended (the same hour from after
  // midnight is its first: planning from the time meant and re-timing from now must agree).
  const day = (quiet.from > quiet.to && local.hour >= quiet.from ? local.plus({ days: 1 }) : local).startOf('day');
  const end = day.set({ hour: quiet.to, minute: 0, second: 0, millisecond: 0 });
  if (end.toMillis() >= meetingStart.getTime()) return due;
  return end.toJSDate();
}

/** Whether a local hour is inside quiet hours: a span over midnight (20–7), a daytime one (8–18), or none (equal hours). */
function isQuietHour(hour: number, quiet: QuietHours): boolean {
  return quiet.from > quiet.to ? hour >= quiet.from || hour < quiet.to : hour >= quiet.from && hour < quiet.to;
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

/**
 * The earliest instant a reminder due at `due` may leave when the dispatcher sends a lump of
 * them ahead of its due time (docs/delivery-engine.md, "Sending ahead of a lump"): the latest of
 * (1) a tenth of the time left to `limit` (the meeting's start) before `due`, and on the
 * meeting's day no earlier than its text's rounded hours still read the same (`sameHours`);
 * (2) the start of `due`'s calendar day in `dayZone`, the
 * zone the renderer counts days in, so "jutro" stays right; (3) the last end of the person's
 * quiet hours at or before `due` in `zone`, the zone the due time was computed in, so the whole
 * window stays outside them. A due time inside quiet hours (held would pass the meeting's start)
 * may not go early at all. Never after `due`.
 */
export function earliestSend(due: Date, limit: Date, zone: string, quiet: QuietHours = DEFAULT_QUIET_HOURS, dayZone: string = zone): Date {
  const at = due.getTime();
  const tenth = at - Math.max(0, limit.getTime() - at) / 10;
  const dayStart = DateTime.fromMillis(at, { zone: zoneNamed(dayZone) }).startOf('day').toMillis();
  const quietEnd = lastQuietEnd(at, zone, quiet);
  return new Date(Math.min(at, Math.max(tenth, dayStart, quietEnd, sameHours(at, limit.getTime(), dayStart, dayZone))));
}

/**
 * On the meeting's own day the text counts rounded hours (`inHowLongUntil`: "za 5 godzin" from
 * 5 h 29 min, "za 6 godzin" from 5 h 30 min), and a tenth early is half an hour at 5 h: so not
 * earlier than H h 29 min before `limit`, H being the hours read at `at`. Days are rule 2's.
 */
function sameHours(at: number, limit: number, dayStart: number, dayZone: string): number {
  const minutes = Math.max(1, Math.round((limit - at) / 60_000));
  if (minutes < 60) return -Infinity;
  if (DateTime.fromMillis(limit, { zone: zoneNamed(dayZone) }).startOf('day').toMillis() !== dayStart) return -Infinity;
  return limit - (Math.round(minutes / 60) * 60 + 29) * 60_000;
}

/**
 * The last instant at or before `at` at which the quiet hours ended (`at` itself when it is
 * inside them, -Infinity when there are none). Walked back local hour by local hour with the
 * same hour test `outsideQuietHours` uses, rather than by setting a local time: a clock change
 * skips or repeats a local hour (02:00–03:00 in Europe/Warsaw), and a set time would then land
 * an hour off on one side of it. At most a day's hours are walked, as quiet hours come daily.
 */
function lastQuietEnd(at: number, zoneName: string, quiet: QuietHours): number {
  if (quiet.from === quiet.to) return -Infinity;
  const zone = zoneNamed(zoneName);
  const isQuiet = (ms: number) => isQuietHour(DateTime.fromMillis(ms, { zone }).hour, quiet);
  if (isQuiet(at)) return at;
  const hourStart = (ms: number) => {
    const local = DateTime.fromMillis(ms, { zone });
    return ms - (local.minute * 60_000 + local.second * 1000 + local.millisecond);
  };
  let start = hourStart(at);
  for (let i = 0; i < 26 && !isQuiet(start - 1); i++) start = hourStart(start - 1);
  // A clock change of half an hour (Australia/Lord_Howe) puts one an hour's start inside the
  // previous offset's hour, which may be quiet: the end is then the first quiet-free minute after.
  while (isQuiet(start) && start < at) start += 60_000;
  return start;
}

/** `earliestSend` for many rows at once: thousands share a due time, a limit, zones and quiet hours. */
export function earliestSendRule(): (due: Date, limit: Date, zone: string, quiet: QuietHours, dayZone?: string) => Date {
  const memo = new Map<string, Date>();
  return (due, limit, zone, quiet, dayZone = zone) => {
    const key = `${due.getTime()}|${limit.getTime()}|${zone}|${dayZone}|${quiet.from}|${quiet.to}`;
    let earliest = memo.get(key);
    if (!earliest) memo.set(key, (earliest = earliestSend(due, limit, zone, quiet, dayZone)));
    return earliest;
  };
}

/** A reminder's due time and the earliest instant it may leave ahead of a lump. */
export interface ReminderTiming {
  dueAt: Date;
  earliestAt: Date;
}

/**
 * A person's reminder meant for `meant`: its due time outside their quiet hours and the earliest
 * it may leave (earliestSend, by the same quiet hours). The one rule of every writer of a meeting
 * or activity reminder's row: planning (the fan-out, members and substitutes with quiet hours of
 * their own), answerMeeting's substituteReminders, and the re-timing after a change of the team
 * or of quiet hours (through reminderTimingRule), so whichever writes a row, it is the same
 * (test/reminders/reminder-timing-writers.model.test.ts). `dayZone` is the zone the reminder's
 * text counts days in, when it differs from the person's (an activity's: planActivityReminders).
 * The one writer that does not use it is the back-fill of earliest_at (earliest-backfill.ts),
 * which keeps the due time a row already has.
 */
export function personalReminderTiming(meant: Date, start: Date, zone: string, quiet: QuietHours, dayZone: string = zone): ReminderTiming {
  const dueAt = outsideQuietHours(meant, start, zone, quiet);
  return { dueAt, earliestAt: earliestSend(dueAt, start, zone, quiet, dayZone) };
}

/**
 * What planning writes for a reminder meant for `meant`, seen at `now`: its timing
 * (personalReminderTiming), or undefined when it is past. A time meant already past still counts
 * while quiet hours hold it to a time to come (meant 21:00, held to 07:00): someone added to the
 * team at 22:00 gets it at 07:00 with the others (test/reminders/held-reminder-new-member.test.ts).
 * Within one quiet span this is the timing re-timing gives from now (reminderTimingRule).
 */
export function plannedReminderTiming(meant: Date, start: Date, zone: string, quiet: QuietHours, now: Date, dayZone: string = zone): ReminderTiming | undefined {
  const timing = personalReminderTiming(meant, start, zone, quiet, dayZone);
  return meant.getTime() < now.getTime() && timing.dueAt.getTime() < now.getTime() ? undefined : timing;
}

/**
 * plannedReminderTiming for many rows at once, as planning uses it: a time not yet meant (nearly
 * all) through the memo of reminderTimingRule; one already past (few: tonight's) by itself.
 */
export function plannedTimingRule(now: Date): (meant: Date, start: Date, zone: string, quiet: QuietHours, dayZone?: string) => ReminderTiming | undefined {
  const timing = reminderTimingRule(now);
  return (meant, start, zone, quiet, dayZone = zone) =>
    meant.getTime() < now.getTime() ? plannedReminderTiming(meant, start, zone, quiet, now, dayZone) : timing(meant, start, zone, quiet, dayZone);
}

/**
 * `personalReminderTiming` for many rows at once, as planning and re-timing use it: a time meant
 * already past (held by earlier quiet hours) counts from `now`, as in quietHoursRule. Thousands of
 * people share a time, a start, zones and quiet hours (planning writes some 376,000 rows), so each
 * combination is computed once. The rows share the Dates it gives: never change them.
 */
export function reminderTimingRule(now: Date): (meant: Date, start: Date, zone: string, quiet: QuietHours, dayZone?: string) => ReminderTiming {
  const memo = new Map<string, ReminderTiming>();
  return (meant, start, zone, quiet, dayZone = zone) => {
    const from = meant > now ? meant : now;
    const key = `${from.getTime()}|${start.getTime()}|${zone}|${dayZone}|${quiet.from}|${quiet.to}`;
    let timing = memo.get(key);
    if (!timing) memo.set(key, (timing = personalReminderTiming(from, start, zone, quiet, dayZone)));
    return timing;
  };
}
