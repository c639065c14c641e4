import { DateTime } from 'luxon';
import rrule from 'rrule';
import { polishHoliday, nextWorkingDay } from './holidays.js';
import { parseDuration, zoned, zoneNamed } from './local-time.js';

const { RRule } = rrule;

export interface MeetingSeries {
  teamId: string;
  timezone: string;
  rrule: string;
  startsLocal: string;
  duration: string;
  onHoliday: 'skip' | 'shift' | 'keep';
  exceptions: ReadonlyArray<{ date: string; cancelled: boolean; movedToLocal: string | null }>;
}

export type OccurrenceStatus = 'scheduled' | 'moved' | 'shifted' | 'cancelled' | 'holiday_skipped';

export interface Occurrence {
  teamId: string;
  /** The date the rule gives, local to the team: the occurrence's stable identity. */
  date: string;
  /** Where the rule puts it (RECURRENCE-ID). */
  originalStart: DateTime;
  start: DateTime;
  end: DateTime;
  status: OccurrenceStatus;
  holiday?: string;
}

/**
 * Expands a series in the team's zone. The rule is evaluated on "floating" wall-clock time
 * (local time written as if it were UTC, as rrule documents), so 10:00 stays 10:00 across
 * the clock changes whatever the process zone is; each wall time is then placed in the zone.
 */
export function ruleDates(series: Pick<MeetingSeries, 'rrule' | 'startsLocal'>, fromLocal: string, toLocal: string): string[] {
  const floatingStart = new Date(`${series.startsLocal}:00Z`);
  const options = RRule.parseString(floatingUntil(series.rrule));
  const rule = new RRule({ ...options, dtstart: floatingStart });
  const from = new Date(`${fromLocal}Z`);
  const to = new Date(`${toLocal}Z`);
  return rule.between(from, to, true).map((d) => d.toISOString().slice(0, 16));
}

/**
 * UNTIL in a schedule file is local wall time, like DTSTART. A bare date means "up to the end
 * of that day" (RFC 5545 §3.3.10 counts the day in), as the feed writes it (rruleWithUtcUntil);
 * rrule would read it as midnight and drop a meeting on that very day.
 */
function floatingUntil(rule: string): string {
  return rule.replace(/UNTIL=(\d{8})(?![\dT])/i, 'UNTIL=$1T235959');
}

/** Occurrences whose original start lies in [from, to), with exceptions and holidays applied. */
export function expandSeries(series: MeetingSeries, from: Date, to: Date): Occurrence[] {
  const zone = zoneNamed(series.timezone);
  const duration = parseDuration(series.duration)!;
  // Widen by a day each side: the window is in instants, the rule in wall time.
  const fromLocal = DateTime.fromJSDate(from, { zone }).minus({ days: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  const toLocal = DateTime.fromJSDate(to, { zone }).plus({ days: 1 }).toFormat("yyyy-MM-dd'T'HH:mm");
  const exceptions = new Map(series.exceptions.map((e) => [e.date, e]));
  const result: Occurrence[] = [];
  for (const local of ruleDates(series, fromLocal, toLocal)) {
    const originalStart = zoned(local, series.timezone);
    if (originalStart.toMillis() < from.getTime() || originalStart.toMillis() >= to.getTime()) continue;
    result.push(applyRules(series, local, originalStart, duration, exceptions.get(local.slice(0, 10))));
  }
  return result;
}

function applyRules(
  series: MeetingSeries,
  local: string,
  originalStart: DateTime,
  duration: NonNullable<ReturnType<typeof parseDuration>>,
  exception: MeetingSeries['exceptions'][number] | undefined,
): Occurrence {
  const date = local.slice(0, 10);
  const base = { teamId: series.teamId, date, originalStart };
  if (exception?.cancelled) return { ...base, start: originalStart, end: originalStart.plus(duration), status: 'cancelled' };
  if (exception?.movedToLocal) {
    const start = zoned(exception.movedToLocal, series.timezone);
    return { ...base, start, end: start.plus(duration), status: 'moved' };
  }
  const holiday = polishHoliday(date);
  if (holiday && series.onHoliday !== 'keep') {
    if (series.onHoliday === 'skip') {
      return { ...base, start: originalStart, end: originalStart.plus(duration), status: 'holiday_skipped', holiday };
    }
    const start = zoned(`${nextWorkingDay(date)}${local.slice(10)}`, series.timezone);
    return { ...base, start, end: start.plus(duration), status: 'shifted', holiday };
  }
  return { ...base, start: originalStart, end: originalStart.plus(duration), status: 'scheduled', ...(holiday ? { holiday } : {}) };
}

/** True when the occurrence takes place (not cancelled, not skipped for a holiday). */
export function takesPlace(o: Occurrence): boolean {
  return o.status !== 'cancelled' && o.status !== 'holiday_skipped';
}

/** The occurrence whose rule date is `date` (YYYY-MM-DD, the team's local date), as it stands now. */
export function occurrenceOn(series: MeetingSeries, date: string): Occurrence | undefined {
  const day = DateTime.fromISO(date, { zone: series.timezone });
  return expandSeries(series, day.minus({ days: 1 }).toJSDate(), day.plus({ days: 2 }).toJSDate()).find((o) => o.date === date);
}
