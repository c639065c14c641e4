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

/** What a series' dates depend on: its rule, its first start (wall time) and its zone. */
type SeriesRule = Pick<MeetingSeries, 'rrule' | 'startsLocal'> & { timezone?: string };

/**
 * Expands a series in the team's zone. The rule is evaluated on "floating" wall-clock time
 * (local time written as if it were UTC, as rrule documents), so 10:00 stays 10:00 across
 * the clock changes whatever the process zone is; each wall time is then placed in the zone.
 */
export function ruleDates(
  series: SeriesRule,
  fromLocal: string,
  toLocal: string,
): string[] {
  const from = new Date(`${fromLocal}Z`).getTime();
  const to = new Date(`${toLocal}Z`).getTime();
  const kept = Number.isFinite(from) && Number.isFinite(to) ? keptRule(series, to) : undefined;
  // An unreadable time, or a rule too dense to keep: asked of rrule as it always was.
  if (!kept) return newRule(series).between(new Date(from), new Date(to), true).map((d) => d.toISOString().slice(0, 16));
  const result: string[] = [];
  for (let i = firstAtOrAfter(kept.dates, from); i < kept.dates.length && kept.dates[i]! <= to; i++) result.push(new Date(kept.dates[i]!).toISOString().slice(0, 16));
  return result;
}

/** True when the rule gives a date at or after `fromLocal` (wall time): the series goes on past it. */
export function continuesFrom(series: SeriesRule, fromLocal: string): boolean {
  const from = new Date(`${fromLocal}Z`).getTime();
  const kept = Number.isFinite(from) ? keptRule(series, from) : undefined;
  // Kept dates reach past `from` (by the look-ahead) unless the rule ends before: a date there answers it.
  if (kept && firstAtOrAfter(kept.dates, from) < kept.dates.length) return true;
  return (kept?.rule ?? newRule(series)).after(new Date(from), true) !== null;
}

function newRule(series: SeriesRule, noCache = false): InstanceType<typeof RRule> {
  return new RRule({ ...RRule.parseString(floatingUntil(series.rrule, series.timezone)), dtstart: new Date(`${series.startsLocal}:00Z`) }, noCache);
}

/**
 * A rule's floating dates, kept per rule text, start and zone: rrule walks every date from
 * DTSTART on each question, so a series begun two years ago cost 0.2 ms of CPU per expansion,
 * and feeds, reminders, lists and digests ask about the same few thousand series again and
 * again. Its dates are kept from the start to 400 days past the furthest date asked for (a
 * biweekly series: ~50 numbers a year). Keyed by the rule's own data, so an edited series is a
 * new key, never a stale answer; bounded, started again when full. Rules of more than one time
 * a day (BYHOUR or BYMINUTE lists, HOURLY and finer) are not kept: a year of them is thousands
 * of dates, and meetings are never such rules.
 */
interface KeptRule {
  /** Built with rrule's own cache off: every question here would otherwise be kept by it too. */
  rule: InstanceType<typeof RRule>;
  /** Floating dates (epoch ms of wall time read as UTC), ascending, from DTSTART to `until`. */
  dates: number[];
  /** The last instant the dates cover (inclusive). */
  until: number;
  /** How far past `until` rrule is asked, so that no date up to `until` is missed (below). */
  slack: number;
}

const keptRules = new Map<string, KeptRule | null>();
/** What a rule's dates depend on: its text, start and zone. */
const ruleKey = (series: SeriesRule) => `${series.rrule}\n${series.startsLocal}\n${series.timezone ?? ''}`;
const MAX_KEPT_RULES = 20_000;
/** Dates one kept rule may hold: a weekly series for three centuries, a daily one for 54 years. */
export const MAX_KEPT_DATES = 20_000;
const KEEP_AHEAD_MS = 400 * 86_400_000;

function keptRule(series: SeriesRule, to: number): KeptRule | undefined {
  const key = ruleKey(series);
  let kept = keptRules.get(key);
  if (kept === undefined) {
    const rule = newRule(series, true);
    const { freq, byhour, byminute, bysecond } = rule.origOptions;
    const many = (value: unknown) => Array.isArray(value) && value.length > 1;
    const dense = freq === undefined || freq > RRule.DAILY || many(byhour) || many(byminute) || many(bysecond);
    kept = dense ? null : { rule, dates: [], until: -Infinity, slack: PERIOD_MS[freq] ?? YEAR_MS };
    if (keptRules.size >= MAX_KEPT_RULES) keptRules.clear();
    keptRules.set(key, kept);
  }
  if (!kept) return undefined;
  if (to > kept.until) {
    const until = to + KEEP_AHEAD_MS;
    // From DTSTART again, past `until` by one period of the rule, and sorted: rrule gives a
    // period's dates in BYSETPOS's order (BYSETPOS=2,5,1: the 2nd Monday before the 1st) and
    // stops at the first date past its end, so a window ending between them lost the other.
    // Asked a period further, every date up to `until` has come; those after it are dropped.
    const dates = kept.rule.between(kept.rule.options.dtstart, new Date(until + kept.slack), true).map((d) => d.getTime());
    kept.dates = dates.filter((d) => d <= until).sort((a, b) => a - b);
    kept.until = until;
    // Asked that far (a daily rule up to the year 9999: megabytes), the rule is not kept: this
    // question is answered from these dates, later ones by rrule as before.
    if (kept.dates.length > MAX_KEPT_DATES) keptRules.set(key, null);
  }
  return kept;
}

/** Whether the rule's dates are kept now (tests). */
export function isKept(series: SeriesRule): boolean {
  return Boolean(keptRules.get(ruleKey(series)));
}

const YEAR_MS = 367 * 86_400_000;
/** One period of each frequency kept (rrule's YEARLY 0, MONTHLY 1, WEEKLY 2, DAILY 3), at its longest. */
const PERIOD_MS: Record<number, number> = { 0: YEAR_MS, 1: 32 * 86_400_000, 2: 8 * 86_400_000, 3: 2 * 86_400_000 };

/** The index of the first of `dates` (ascending) at or after `at`; `dates.length` when none is. */
function firstAtOrAfter(dates: readonly number[], at: number): number {
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (dates[mid]! < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * UNTIL in a schedule file is local wall time, like DTSTART. A bare date means "up to the end
 * of that day" (RFC 5545 §3.3.10 counts the day in), as the feed writes it (rruleWithUtcUntil);
 * rrule would read it as midnight and drop a meeting on that very day. UNTIL with a Z is an
 * instant in UTC (RFC 5545 wants that form with a zoned DTSTART, and our feeds write it): it
 * becomes the team's wall time, or 10:00 Warsaw's UNTIL=…T090000Z would end the series at 09:00.
 */
function floatingUntil(rule: string, zone = 'UTC'): string {
  return rule
    .replace(/UNTIL=(\d{8}T\d{6})Z/i, (_m, utc: string) => {
      const wall = DateTime.fromFormat(utc, "yyyyMMdd'T'HHmmss", { zone: 'UTC' }).setZone(zoneNamed(zone));
      return `UNTIL=${wall.toFormat("yyyyMMdd'T'HHmmss")}`;
    })
    .replace(/UNTIL=(\d{8})(?![\dT])/i, 'UNTIL=$1T235959');
}

/** Occurrences whose original start lies in [from, to), with exceptions and holidays applied. */
export function expandSeries(series: MeetingSeries, from: Date, to: Date): Occurrence[] {
  // An unknown zone throws, as it did when the window's ends were placed in it: never an
  // occurrence at an invalid time (NaN passes no comparison, so the window would let it in).
  if (!zoneNamed(series.timezone).isValid) throw new RangeError(`unknown time zone: ${series.timezone}`);
  const duration = parseDuration(series.duration)!;
  // The window is in instants, the rule in wall time: widened by two days each side, read as UTC,
  // it holds every wall time of the window in any zone (offsets are within ±14 h); what falls
  // outside the window is dropped below. Cheaper than placing the ends in the zone with luxon.
  const fromLocal = floatingMinute(from.getTime() - 2 * DAY);
  const toLocal = floatingMinute(to.getTime() + 2 * DAY);
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
    const target = series.onHoliday === 'shift' ? shiftTarget(series, date) : undefined;
    if (!target) return { ...base, start: originalStart, end: originalStart.plus(duration), status: 'holiday_skipped', holiday };
    const start = zoned(`${target}${local.slice(10)}`, series.timezone);
    return { ...base, start, end: start.plus(duration), status: 'shifted', holiday };
  }
  return { ...base, start: originalStart, end: originalStart.plus(duration), status: 'scheduled', ...(holiday ? { holiday } : {}) };
}

/** How far a holiday's meeting may be shifted; with no free working day that near it is skipped. */
export const MAX_SHIFT_DAYS = 14;

/**
 * The day a holiday's meeting is shifted to: the first working day after it on which the series
 * has no meeting by its rule and no earlier holiday's meeting was shifted to (Easter Monday →
 * Wednesday when the team meets on Mondays and Tuesdays). It depends on the rule and the
 * holidays only, never on moves or cancellations, so a change in chat never shifts another meeting.
 */
function shiftTarget(series: MeetingSeries, date: string, depth = 0): string | undefined {
  // The answer depends on the rule and the date only; feeds and lists ask again and again.
  const key = `${series.rrule} ${series.startsLocal} ${series.timezone} ${date}`;
  if (shiftTargets.has(key)) return shiftTargets.get(key);
  const target = findShiftTarget(series, date, depth);
  if (shiftTargets.size >= 50_000) shiftTargets.clear();
  shiftTargets.set(key, target);
  return target;
}

const shiftTargets = new Map<string, string | undefined>();

function findShiftTarget(series: MeetingSeries, date: string, depth: number): string | undefined {
  const day = DateTime.fromISO(date, { zone: 'UTC' });
  const ruleDays = new Set(
    ruleDates(series, day.minus({ days: MAX_SHIFT_DAYS + 1 }).toFormat("yyyy-MM-dd'T'00:00"), day.plus({ days: MAX_SHIFT_DAYS + 1 }).toFormat("yyyy-MM-dd'T'23:59")).map(
      (d) => d.slice(0, 10),
    ),
  );
  const taken = new Set<string>();
  if (depth < 10) {
    for (const earlier of [...ruleDays].filter((d) => d < date && polishHoliday(d)).sort()) {
      const target = shiftTarget(series, earlier, depth + 1);
      if (target) taken.add(target);
    }
  }
  const last = day.plus({ days: MAX_SHIFT_DAYS }).toISODate()!;
  for (let candidate = nextWorkingDay(date); candidate <= last; candidate = nextWorkingDay(candidate)) {
    if (!ruleDays.has(candidate) && !taken.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The occurrences that start in [from, to) where they take place: a meeting moved or shifted
 * into the window is in it, one moved or shifted out of it is not (`expandSeries` goes by the
 * rule's date, which is what feeds and identities need, not lists of what happens when).
 */
export function occurrencesStartingIn(series: MeetingSeries, from: Date, to: Date): Occurrence[] {
  const near = expandSeries(series, new Date(from.getTime() - (MAX_SHIFT_DAYS + 2) * DAY), to);
  const dates = new Set(near.map((o) => o.date));
  const far = series.exceptions
    .filter((e) => e.movedToLocal && !dates.has(e.date))
    .map((e) => occurrenceOn(series, e.date))
    .filter((o): o is Occurrence => o !== undefined);
  return [...near, ...far]
    .filter((o) => o.start.toMillis() >= from.getTime() && o.start.toMillis() < to.getTime())
    .sort((a, b) => a.start.toMillis() - b.start.toMillis() || a.date.localeCompare(b.date));
}

const DAY = 86_400_000;

/** An instant's UTC minute as floating wall time (YYYY-MM-DDTHH:mm), clamped to four-digit years. */
function floatingMinute(ms: number): string {
  return new Date(Math.min(Math.max(ms, MIN_FLOATING), MAX_FLOATING)).toISOString().slice(0, 16);
}
const MIN_FLOATING = Date.UTC(1000, 0, 1);
const MAX_FLOATING = Date.UTC(9999, 11, 31, 23, 59);

/** True when the occurrence takes place (not cancelled, not skipped for a holiday). */
export function takesPlace(o: Occurrence): boolean {
  return o.status !== 'cancelled' && o.status !== 'holiday_skipped';
}

/** The occurrence whose rule date is `date` (YYYY-MM-DD, the team's local date), as it stands now. */
export function occurrenceOn(series: MeetingSeries, date: string): Occurrence | undefined {
  const day = DateTime.fromISO(date, { zone: series.timezone });
  return expandSeries(series, day.minus({ days: 1 }).toJSDate(), day.plus({ days: 2 }).toJSDate()).find((o) => o.date === date);
}
